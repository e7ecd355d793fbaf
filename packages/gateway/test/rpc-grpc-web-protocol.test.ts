import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeEnvelope } from "../src/rpc/envelope.js";
import {
  decodeGrpcWebText,
  encodeGrpcWebText,
  grpcWebTrailers,
  parseGrpcTimeout,
  parseGrpcWebContentType,
} from "../src/rpc/grpc-web-protocol.js";

const ascii = (value: string) => new Uint8Array(Buffer.from(value, "latin1"));
const badTimeout = { name: "GatewayError", code: "BAD_REQUEST", field: "grpc-timeout" };

describe("gRPC-Web content types", () => {
  it("recognizes binary and text modes, proto by default, in any case", () => {
    assert.deepEqual(parseGrpcWebContentType("application/grpc-web"), { text: false, codec: "proto" });
    assert.deepEqual(parseGrpcWebContentType("application/grpc-web+proto"), { text: false, codec: "proto" });
    assert.deepEqual(parseGrpcWebContentType("application/grpc-web+json"), { text: false, codec: "json" });
    assert.deepEqual(parseGrpcWebContentType("application/grpc-web-text"), { text: true, codec: "proto" });
    assert.deepEqual(parseGrpcWebContentType("Application/GRPC-Web-Text+Proto"), { text: true, codec: "proto" });
  });

  it("leaves everything else to other protocols", () => {
    for (const other of [undefined, "application/grpc", "application/grpc-web-text+json", "application/grpc-web+thrift", "application/json"]) {
      assert.equal(parseGrpcWebContentType(other), undefined, String(other));
    }
  });
});

describe("grpc-timeout", () => {
  it("converts every unit to milliseconds", () => {
    assert.equal(parseGrpcTimeout(undefined), undefined);
    assert.equal(parseGrpcTimeout("2H"), 7_200_000);
    assert.equal(parseGrpcTimeout("3M"), 180_000);
    assert.equal(parseGrpcTimeout("5S"), 5000);
    assert.equal(parseGrpcTimeout("250m"), 250);
    assert.equal(parseGrpcTimeout("7000u"), 7);
    assert.equal(parseGrpcTimeout("99999999n"), 100);
  });

  it("rounds a positive sub-millisecond timeout up to 1 ms, and keeps 0", () => {
    assert.equal(parseGrpcTimeout("1n"), 1);
    assert.equal(parseGrpcTimeout("999u"), 1);
    assert.equal(parseGrpcTimeout("0m"), 0);
  });

  it("rejects malformed values, naming the header", () => {
    for (const bad of ["", "5", "S", "123456789S", "5s", "1.5S", "-1S", "5 S"]) {
      assert.throws(() => parseGrpcTimeout(bad), badTimeout, bad);
    }
  });
});

describe("gRPC-Web trailers", () => {
  it("frames the status lines with the trailer flag", () => {
    const body = "grpc-status:0\r\ngrpc-message:\r\n";
    const expected = new Uint8Array([0x80, 0, 0, 0, body.length, ...ascii(body)]);
    assert.deepEqual(grpcWebTrailers(0, ""), expected);
  });

  it("percent-encodes %, controls and non-ASCII as UTF-8 bytes", () => {
    const frame = grpcWebTrailers(3, "name: 100% ünïcode\n");
    assert.deepEqual(frame, encodeEnvelope(0x80, ascii("grpc-status:3\r\ngrpc-message:name: 100%25 %C3%BCn%C3%AFcode%0A\r\n")));
  });
});

describe("grpc-web-text", () => {
  it("round-trips bytes through base64", () => {
    const bytes = new Uint8Array([0, 1, 0xfe, 0xff, 0x3e]);
    const encoded = encodeGrpcWebText(bytes);
    assert.equal(Buffer.from(encoded).toString("latin1"), "AAH+/z4=");
    assert.deepEqual([...decodeGrpcWebText(encoded)], [...bytes]);
  });

  it("decodes concatenated chunks that each carry their own padding", () => {
    const body = ascii("AQ==AgM=BAUG");
    assert.deepEqual([...decodeGrpcWebText(body)], [1, 2, 3, 4, 5, 6]);
  });

  it("decodes an empty body and an unpadded tail", () => {
    assert.deepEqual([...decodeGrpcWebText(new Uint8Array())], []);
    assert.deepEqual([...decodeGrpcWebText(ascii("AQI"))], [1, 2]);
  });

  it("rejects bodies that are not base64", () => {
    for (const bad of ["AQ?=", "==", "AQ===", "A", "AQ-_", "AQI=A"]) {
      assert.throws(() => decodeGrpcWebText(ascii(bad)), { name: "GatewayError", code: "BAD_REQUEST" }, bad);
    }
  });
});
