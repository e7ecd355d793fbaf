import { performance } from "node:perf_hooks";

/** Epoch ms with sub-ms precision, from one monotonic source for every time the suite records. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
