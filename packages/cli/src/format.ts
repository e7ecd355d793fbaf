/** Table cells for numbers, the same in every command: `-` where there is nothing to show. */

/** 0.125 → "12.5%". */
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** A policy weight with its share of all the weights, "90 (90.0%)"; `-` without weights. */
export const weightCell = (weight: number | null, share: number | null): string =>
  weight === null ? "-" : `${weight} (${percent(share ?? 0)})`;

/** Milliseconds, or `-` with no latency measured. */
export const millis = (ms: number | null): string => (ms === null ? "-" : ms.toFixed(2));

/** Requests per second. */
export const rate = (rps: number): string => rps.toFixed(2);

/** An error rate under an ERR% header: the number without its "%". */
export const errorPercent = (ratio: number): string => (ratio * 100).toFixed(1);
