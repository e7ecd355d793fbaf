import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { asField } from "../src/transcode/proto-passthrough.js";

describe("asField", () => {
  // Tags and lengths on each side of every varint byte boundary.
  const numbers = [1, 15, 16, 2047, 2048, 262_143, 262_144, 536_870_911];
  const lengths = [0, 1, 127, 128, 16_383, 16_384, 2_097_152];

  it("frames a body as protobuf-es's BinaryWriter does, then appends the rest", () => {
    const rest = new Uint8Array([0x10, 0x01]);
    for (const number of numbers) {
      for (const length of lengths) {
        const body = new Uint8Array(length).fill(7);
        const expected = new BinaryWriter().tag(number, WireType.LengthDelimited).bytes(body).raw(rest).finish();
        assert.deepEqual(asField(number, body, rest), expected, `field ${number}, ${length} bytes`);
      }
    }
  });
});
