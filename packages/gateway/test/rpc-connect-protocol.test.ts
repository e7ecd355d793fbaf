import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../src/errors.js";
import {
  connectEndStream,
  connectErrorBody,
  connectVersionOk,
  parseConnectContentType,
  parseConnectGet,
  parseConnectTimeout,
} from "../src/rpc/connect-protocol.js";
import { decodeEnvelopes } from "../src/rpc/envelope.js";

const badParam = (field: string) => ({ name: "GatewayError", code: "BAD_REQUEST", field });
const text = (data: Uint8Array | undefined) => new TextDecoder().decode(data);

describe("Connect content types", () => {
  it("recognizes unary and streaming codecs, in any case", () => {
    assert.deepEqual(parseConnectContentType("application/proto"), { streaming: false, codec: "proto" });
    assert.deepEqual(parseConnectContentType("application/json"), { streaming: false, codec: "json" });
    assert.deepEqual(parseConnectContentType("Application/JSON; charset=utf-8"), { streaming: false, codec: "json" });
    assert.deepEqual(parseConnectContentType("application/connect+proto"), { streaming: true, codec: "proto" });
    assert.deepEqual(parseConnectContentType("application/connect+json"), { streaming: true, codec: "json" });
  });

  it("leaves everything else to other protocols", () => {
    for (const other of [undefined, "", "application/grpc-web", "text/plain", "application/proto; charset=utf-8", "application/json; charset=latin1", "application/protobuf"]) {
      assert.equal(parseConnectContentType(other), undefined, String(other));
    }
  });
});

describe("Connect-Timeout-Ms", () => {
  it("reads 1 to 10 digits as milliseconds", () => {
    assert.equal(parseConnectTimeout(undefined), undefined);
    assert.equal(parseConnectTimeout("250"), 250);
    assert.equal(parseConnectTimeout("9999999999"), 9_999_999_999);
  });

  it("rejects anything else, naming the header", () => {
    for (const bad of ["", "-1", "1.5", "12345678901", " 5", "5s"]) {
      assert.throws(() => parseConnectTimeout(bad), badParam("connect-timeout-ms"), bad);
    }
  });
});

describe("Connect errors", () => {
  const err = new GatewayError("INVALID_FIELD", "must not be empty", "name");

  it("writes the unary error body with the Connect code and the field in the message", () => {
    assert.deepEqual(JSON.parse(connectErrorBody(err)), { code: "invalid_argument", message: "name: must not be empty" });
  });

  it("ends a successful stream with an empty JSON object", () => {
    const [end] = decodeEnvelopes(connectEndStream(undefined), 100);
    assert.equal(end?.flags, 0x02);
    assert.equal(text(end?.data), "{}");
  });

  it("ends a failed stream with the error", () => {
    const [end] = decodeEnvelopes(connectEndStream(new GatewayError("SERVICE_TIMEOUT", "no reply in 5s")), 100);
    assert.equal(end?.flags, 0x02);
    assert.deepEqual(JSON.parse(text(end?.data)), { error: { code: "deadline_exceeded", message: "no reply in 5s" } });
  });
});

describe("Connect GET requests", () => {
  const payload = new Uint8Array([0xfb, 0xff, 0x01]); // base64url "-_8B", standard "+/8B"

  it("decodes a base64 message with or without padding", () => {
    const got = parseConnectGet({ connect: "v1", encoding: "proto", base64: "1", message: "-_8B" });
    assert.deepEqual({ ...got, message: [...got.message] }, { codec: "proto", compression: undefined, message: [...payload] });
    assert.deepEqual([...parseConnectGet({ encoding: "proto", base64: "1", message: "AQI" }).message], [1, 2]);
    assert.deepEqual([...parseConnectGet({ encoding: "proto", base64: "1", message: "AQI=" }).message], [1, 2]);
  });

  it("takes a plain message as UTF-8 text and passes compression through", () => {
    const got = parseConnectGet({ encoding: "json", message: '{"name":"é"}', compression: "gzip" });
    assert.equal(got.codec, "json");
    assert.equal(got.compression, "gzip");
    assert.equal(text(got.message), '{"name":"é"}');
  });

  it("requires message and encoding", () => {
    assert.throws(() => parseConnectGet({ encoding: "proto" }), badParam("message"));
    assert.throws(() => parseConnectGet({ message: "{}" }), badParam("encoding"));
  });

  it("rejects bad parameter values, naming the parameter", () => {
    assert.throws(() => parseConnectGet({ encoding: "xml", message: "" }), badParam("encoding"));
    assert.throws(() => parseConnectGet({ connect: "v2", encoding: "json", message: "{}" }), badParam("connect"));
    assert.throws(() => parseConnectGet({ base64: "yes", encoding: "json", message: "{}" }), badParam("base64"));
    assert.throws(() => parseConnectGet({ encoding: ["json", "proto"], message: "{}" }), badParam("encoding"));
  });

  it("rejects a message that is not URL-safe base64", () => {
    for (const bad of ["+/8B", "AQI==", "A", "AQ=I", "AQ?I"]) {
      assert.throws(() => parseConnectGet({ encoding: "proto", base64: "1", message: bad }), badParam("message"), bad);
    }
  });
});

describe("Connect-Protocol-Version", () => {
  it("accepts only an absent header or 1", () => {
    assert.equal(connectVersionOk(undefined), true);
    assert.equal(connectVersionOk("1"), true);
    assert.equal(connectVersionOk("2"), false);
    assert.equal(connectVersionOk(["1", "1"]), false);
  });
});
