import { FINE_BUCKETS, fineBucket, percentileMs } from "./latency.js";

const SLOTS = 60;

export interface MinuteSummary {
  requests: number;
  errors: number;
  /** Requests per second over the seconds the window covers. */
  rps: number;
  errorRate: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Requests per second, one per second, oldest first, the current (partial) second last. */
  series: { requests: number[]; errors: number[] };
}

/**
 * Requests, errors and latencies of the last 60 seconds, one slot a second. A slot is reused when
 * its second comes round again; recording is an index computation and three increments.
 */
export class MinuteWindow {
  private readonly seconds = new Float64Array(SLOTS).fill(-1);
  private readonly requests = new Uint32Array(SLOTS);
  private readonly errors = new Uint32Array(SLOTS);
  private readonly latency = new Uint32Array(SLOTS * FINE_BUCKETS);

  record(nowMs: number, ms: number, error: boolean): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % SLOTS;
    if (this.seconds[slot] !== second) this.clear(slot, second);
    this.requests[slot]!++;
    if (error) this.errors[slot]!++;
    this.latency[slot * FINE_BUCKETS + fineBucket(ms)]!++;
  }

  summary(nowMs: number): MinuteSummary {
    const now = Math.floor(nowMs / 1000);
    const latency = new Uint32Array(FINE_BUCKETS);
    const series = { requests: new Array<number>(SLOTS).fill(0), errors: new Array<number>(SLOTS).fill(0) };
    let requests = 0;
    let errors = 0;
    for (let age = 0; age < SLOTS; age++) {
      const second = now - age;
      const slot = ((second % SLOTS) + SLOTS) % SLOTS;
      if (this.seconds[slot] !== second) continue;
      requests += this.requests[slot]!;
      errors += this.errors[slot]!;
      series.requests[SLOTS - 1 - age] = this.requests[slot]!;
      series.errors[SLOTS - 1 - age] = this.errors[slot]!;
      for (let b = 0; b < FINE_BUCKETS; b++) latency[b]! += this.latency[slot * FINE_BUCKETS + b]!;
    }
    // The current second is partly over: the rate is over the time the window really covers.
    const covered = SLOTS - 1 + (nowMs % 1000) / 1000;
    return {
      requests,
      errors,
      rps: requests / covered,
      errorRate: requests === 0 ? 0 : errors / requests,
      p50Ms: percentileMs(latency, 0.5),
      p99Ms: percentileMs(latency, 0.99),
      series,
    };
  }

  private clear(slot: number, second: number): void {
    this.seconds[slot] = second;
    this.requests[slot] = 0;
    this.errors[slot] = 0;
    this.latency.fill(0, slot * FINE_BUCKETS, (slot + 1) * FINE_BUCKETS);
  }
}
