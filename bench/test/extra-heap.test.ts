import assert from "node:assert/strict";
import { describe, it } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import { retainLiveObjects } from "../src/extra-heap.js";

describe("retainLiveObjects", () => {
  it("keeps about the megabytes asked alive through full collections", () => {
    // A new context made after the flag is set has gc(); the test runner was not started with it.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = live();
    const kept = retainLiveObjects(4);
    const grown = (live() - before) / (1024 * 1024);
    assert.ok(grown >= 3 && grown <= 6, `heap grew by ${grown.toFixed(1)} MB`);
    assert.ok(kept.length > 0);
  });
});
