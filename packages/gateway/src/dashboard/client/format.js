// How numbers, durations and times read on the page.

const grouped = new Intl.NumberFormat("en-US");

/** @param {number} n a count */
export function count(n) {
  return grouped.format(n);
}

/** @param {number} n requests per second */
export function rate(n) {
  if (!Number.isFinite(n) || n <= 0) return "0";
  if (n >= 1000) return grouped.format(Math.round(n));
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(1);
  if (n >= 0.01) return n.toFixed(2);
  return "<0.01";
}

/**
 * @param {number | null | undefined} x a fraction from 0 to 1
 * @param {number} [digits]
 */
export function percent(x, digits = 1) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  if (x > 0 && x < 0.001 && digits <= 1) return "<0.1%";
  const scale = 10 ** digits;
  const p = Math.round(x * 100 * scale) / scale;
  return `${Number.isInteger(p) ? p : p.toFixed(digits)}%`;
}

/** @param {number | null | undefined} v milliseconds */
export function ms(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v < 1) return `${Math.max(1, Math.round(v * 1000))} µs`;
  if (v < 10) return `${v.toFixed(2)} ms`;
  if (v < 100) return `${v.toFixed(1)} ms`;
  if (v < 10_000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(1)} s`;
}

/** @param {number | null | undefined} s seconds */
export function duration(s) {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return "—";
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  s = Math.floor(s);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** @param {Date | number | string} t */
export function clock(t) {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleTimeString("en-GB", { hour12: false });
}

/**
 * An id shortened for reading, to its end: NUIDs made by one process share their beginning.
 * The whole id goes in a title.
 * @param {string} id
 */
export function shortId(id) {
  return id.length > 10 ? `…${id.slice(-8)}` : id;
}
