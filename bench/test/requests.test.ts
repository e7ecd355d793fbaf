import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import type autocannon from "autocannon";
import { CreateUserRequestSchema } from "@switchyard/contracts";
import { batchSchema } from "../src/echo-contract.js";
import { createUserConnectProto, createUserGrpcWeb, echoBatch } from "../src/requests.js";

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

describe("CreateUser at its RPC path", () => {
  const bodies = (request: autocannon.Request): Buffer[] => {
    const setup = request.setupRequest as (request: autocannon.Request, context: object) => autocannon.Request;
    return [1, 2].map(() => setup({ ...request }, {}).body as Buffer);
  };

  it("sends the whole CreateUserRequest in Connect, a new email each time", () => {
    const request = createUserConnectProto.requests[0]!;
    assert.equal(request.path, "/users.v1.UserService/CreateUser");
    const [a, b] = bodies(request).map((body) => fromBinary(CreateUserRequestSchema, body));
    assert.equal(a!.user?.firstName, "Jane");
    assert.notEqual(a!.user?.email, b!.user?.email);
  });

  it("frames it in gRPC-Web: flag 0x00, the length big-endian, the message", () => {
    const [body] = bodies(createUserGrpcWeb.requests[0]!);
    assert.equal(body![0], 0x00);
    assert.equal(body!.readUInt32BE(1), body!.length - 5);
    assert.equal(fromBinary(CreateUserRequestSchema, body!.subarray(5)).user?.lastName, "Doe");
  });
});
