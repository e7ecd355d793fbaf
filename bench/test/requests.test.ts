import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { batchSchema } from "../src/echo-contract.js";
import { echoBatch } from "../src/requests.js";

describe("echoBatch", () => {
  for (const codec of ["JSON", "Protobuf"] as const) {
    it(`makes ${codec} bodies of the size asked, within one item, that decode as the Echo contract's Batch`, () => {
      for (const kb of [1, 16, 64, 512]) {
        const scenario = echoBatch(kb * 1024, codec);
        const body = scenario.requests[0]!.body as Buffer;
        assert.equal(scenario.bodyBytes, body.length);
        const batch = codec === "JSON" ? fromJson(batchSchema(), JSON.parse(body.toString()) as JsonValue) : fromBinary(batchSchema(), body);
        const item = body.length / (batch as unknown as { items: unknown[] }).items.length;
        assert.ok(Math.abs(body.length - kb * 1024) <= item, `${codec} ${kb} KB: ${body.length} bytes`);
      }
    });
  }
});
