/**
 * Live objects that a process keeps for its whole life and never uses: with BENCH_REFERENCE_EXTRA_HEAP_MB
 * the reference holds as many more megabytes of heap as the gateway does, to show how its figures
 * depend on the size of its live heap rather than on the work it does for a request (README, Performance).
 */

/** Small objects, as a program's own are, kept until `heapUsed` has grown by `megabytes`. */
export function retainLiveObjects(megabytes: number): object[] {
  const kept: object[] = [];
  const target = process.memoryUsage().heapUsed + megabytes * 1024 * 1024;
  while (process.memoryUsage().heapUsed < target) {
    for (let i = 0; i < 10_000; i++) kept.push({ id: kept.length, name: `object ${kept.length}` });
  }
  return kept;
}
