import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { acceptsGzip, decompress, gzip } from "../src/rpc/compression.js";

const data = new TextEncoder().encode("hello hello hello hello");

describe("decompress", () => {
  it("passes identity and absent encodings through untouched", () => {
    assert.equal(decompress(undefined, data, 1), data);
    assert.equal(decompress("identity", data, 1), data);
  });

  it("round-trips gzip, whatever the case of the encoding name", () => {
    assert.deepEqual([...decompress("gzip", gzip(data), 100)], [...data]);
    assert.deepEqual([...decompress("GZIP", gzipSync(data), data.length)], [...data]);
  });

  it("stops inflating at the limit", () => {
    const bomb = gzip(new Uint8Array(1_000_000));
    assert.ok(bomb.length < 2000);
    assert.throws(() => decompress("gzip", bomb, 1000), { name: "GatewayError", code: "PAYLOAD_TOO_LARGE" });
  });

  it("rejects corrupt or truncated gzip", () => {
    assert.throws(() => decompress("gzip", data, 100), { name: "GatewayError", code: "BAD_REQUEST" });
    assert.throws(() => decompress("gzip", gzip(data).subarray(0, 12), 100), { name: "GatewayError", code: "BAD_REQUEST" });
  });

  it("refuses other encodings, naming content-encoding", () => {
    assert.throws(() => decompress("br", data, 100), {
      name: "GatewayError",
      code: "UNSUPPORTED_MEDIA_TYPE",
      field: "content-encoding",
      message: '"br" is not supported; send gzip or identity',
    });
  });
});

describe("acceptsGzip", () => {
  it("accepts gzip listed or covered by *", () => {
    assert.equal(acceptsGzip("gzip"), true);
    assert.equal(acceptsGzip("br, GZip;q=0.5"), true);
    assert.equal(acceptsGzip(["identity", "deflate, gzip"]), true);
    assert.equal(acceptsGzip("*"), true);
  });

  it("refuses when absent, not listed, or given q=0", () => {
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip("identity, br"), false);
    assert.equal(acceptsGzip("gzip;q=0"), false);
    assert.equal(acceptsGzip("gzip;q=0, *"), false);
    assert.equal(acceptsGzip("*;q=0"), false);
  });
});
