import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GatewayError } from "../src/errors.js";
import { jsonFromBytes } from "../src/transcode/request-bodies.js";

const read = (text: string) => jsonFromBytes(Buffer.from(text));

describe("jsonFromBytes", () => {
  it("keeps integers past 2^53 exact wherever they are, as decimal text", () => {
    assert.deepEqual(read('{"a": [1, {"b": 9007199254740993}], "c": -9223372036854775808}'), {
      a: [1, { b: "9007199254740993" }],
      c: "-9223372036854775808",
    });
    assert.equal(read("18446744073709551615"), "18446744073709551615");
  });

  it("leaves every other number a number, long digit runs in strings included", () => {
    assert.deepEqual(read('{"safe": 9007199254740991, "digits": "12345678901234567890", "small": [1.5, -2, 0]}'), {
      safe: 9007199254740991,
      digits: "12345678901234567890",
      small: [1.5, -2, 0],
    });
  });

  it("finds a number past 2^53 at any depth, and refuses a body too deep to read it exactly with a 400", () => {
    const nested = (depth: number, number: string) => `${"[".repeat(depth)}${number}${"]".repeat(depth)}`;
    assert.deepEqual(read(nested(3, "9007199254740993")), [[["9007199254740993"]]]);
    // Deeper than the call stack: JSON.parse reads it, lossless-json's recursion cannot.
    let inner = read(nested(200_000, "1"));
    for (let i = 0; i < 200_000; i++) inner = (inner as unknown[])[0];
    assert.equal(inner, 1);
    assert.throws(
      () => read(nested(200_000, "9007199254740993")),
      (err: unknown) => GatewayError.is(err) && err.code === "MALFORMED_JSON" && err.status === 400 && /nested too deeply/.test(err.message),
    );
  });
});
