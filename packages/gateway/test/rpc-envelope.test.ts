import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeEnvelopes, encodeEnvelope, EnvelopeFlag } from "../src/rpc/envelope.js";

const bytes = (...values: number[]) => new Uint8Array(values);
const badRequest = { name: "GatewayError", code: "BAD_REQUEST" };

describe("envelopes", () => {
  it("prefixes the data with the flags and a big-endian length", () => {
    assert.deepEqual(encodeEnvelope(EnvelopeFlag.compressed, bytes(7, 8, 9)), bytes(1, 0, 0, 0, 3, 7, 8, 9));
    const big = encodeEnvelope(0, new Uint8Array(0x01_02_03));
    assert.deepEqual(big.subarray(0, 5), bytes(0, 0, 1, 2, 3));
  });

  it("round-trips several envelopes, empty ones included", () => {
    const body = Buffer.concat([
      encodeEnvelope(0, bytes(1, 2)),
      encodeEnvelope(0, bytes()),
      encodeEnvelope(EnvelopeFlag.connectEndStream, new TextEncoder().encode("{}")),
    ]);
    const decoded = decodeEnvelopes(body, 16);
    assert.deepEqual(decoded.map((e) => e.flags), [0, 0, 2]);
    assert.deepEqual(decoded.map((e) => [...e.data]), [[1, 2], [], [0x7b, 0x7d]]);
  });

  it("decodes from a view that does not start its buffer", () => {
    const backing = bytes(0xff, 0xff, 0, 0, 0, 0, 1, 42);
    assert.deepEqual([...(decodeEnvelopes(backing.subarray(2), 1)[0]?.data ?? [])], [42]);
  });

  it("decodes an empty body as no envelopes", () => {
    assert.deepEqual(decodeEnvelopes(bytes(), 0), []);
  });

  it("rejects a prefix cut short", () => {
    assert.throws(() => decodeEnvelopes(bytes(0, 0, 0), 10), badRequest);
    assert.throws(() => decodeEnvelopes(bytes(0, 0, 0, 0, 1, 9, 0), 10), badRequest);
  });

  it("rejects a length past the end of the body", () => {
    assert.throws(() => decodeEnvelopes(bytes(0, 0, 0, 0, 3, 1, 2), 10), { ...badRequest, message: /declares 3 bytes but only 2/ });
  });

  it("rejects a message over the limit before reading it", () => {
    assert.throws(() => decodeEnvelopes(bytes(0, 0xff, 0xff, 0xff, 0xff), 10), { ...badRequest, message: /over the limit of 10/ });
    assert.equal(decodeEnvelopes(encodeEnvelope(0, new Uint8Array(10)), 10).length, 1);
  });
});
