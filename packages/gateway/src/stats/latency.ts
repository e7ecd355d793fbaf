/**
 * Histogram bounds in seconds for the Prometheus histograms: OpenTelemetry's advice for HTTP
 * durations, with 1 ms and 2.5 ms added below, where most gateway requests fall.
 */
export const SECONDS_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

/** The index of the first bound at or above `seconds`; SECONDS_BOUNDS.length for +Inf. */
export function secondsBucket(seconds: number): number {
  let i = 0;
  while (i < SECONDS_BOUNDS.length && seconds > SECONDS_BOUNDS[i]!) i++;
  return i;
}

/**
 * Finer buckets for the percentiles of the last minute: bucket i holds durations up to
 * FIRST_MS × RATIO^i, 50 µs to about 25 s, so a percentile read from them is within 40 % of the
 * true value (and reported as the bucket's upper bound).
 */
const FIRST_MS = 0.05;
const RATIO = 1.4;
export const FINE_BUCKETS = 40;
const LOG_RATIO = Math.log(RATIO);

export function fineBucket(ms: number): number {
  if (!(ms > FIRST_MS)) return 0;
  return Math.min(FINE_BUCKETS - 1, Math.ceil(Math.log(ms / FIRST_MS) / LOG_RATIO));
}

export function fineBucketUpperMs(index: number): number {
  return FIRST_MS * RATIO ** index;
}

/** The percentile `q` (0–1) of a histogram of fine buckets, as a bucket's upper bound in ms. */
export function percentileMs(counts: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return fineBucketUpperMs(i);
  }
  return fineBucketUpperMs(counts.length - 1);
}
