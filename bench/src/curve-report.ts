/**
 * Curves: one comparison per point of what varies (routes served, body size, connections), each
 * the gateway against the reference in the same run, so the shape shows how the gateway's cost
 * grows where the reference's does not. Printed as a table per curve, with the targets.
 */
import type { Pair } from "./harness.js";
import { columns, mark, pairedRatio, type NamedSummary } from "./report.js";

export interface CurvePoint {
  /** Where on the axis, as the table shows it: "100", "64 KB JSON". */
  label: string;
  /** The request loaded, as sent: path, codec, body bytes. */
  request: string;
  connections: number;
  baseline: NamedSummary;
  subject: NamedSummary;
  /** Subject over baseline, each the median of the rounds' ratios. */
  ratios: { reqPerSec: number; p50: number; p99: number; cpuPerRequest: number };
}

export interface CurveCheck {
  what: string;
  ok: boolean;
}

export interface CurveReport {
  /** The name BENCH_SCENARIOS selects it by. */
  curve: string;
  /** The first column's heading: what varies. */
  axis: string;
  /** One line on what is loaded, through what. */
  about: string;
  points: CurvePoint[];
  checks: CurveCheck[];
}

export function curvePoint(label: string, request: string, connections: number, pair: Pair): CurvePoint {
  const [b, s] = [pair.baseline.summary.runs, pair.subject.summary.runs];
  return {
    label,
    request,
    connections,
    baseline: pair.baseline,
    subject: pair.subject,
    ratios: {
      reqPerSec: pairedRatio(s, b, (r) => r.reqPerSec),
      p50: pairedRatio(s, b, (r) => r.p50Ms),
      p99: pairedRatio(s, b, (r) => r.p99Ms),
      cpuPerRequest: pairedRatio(s, b, (r) => r.cpuUsPerRequest),
    },
  };
}

/** The subject's req/s ratio at `to` over its ratio at `from`: how much it lost along the axis, the reference's drift divided out. */
export function growthCheck(points: CurvePoint[], from: string, to: string, min: number): CurveCheck {
  const [a, b] = [find(points, from), find(points, to)];
  const value = b.ratios.reqPerSec / a.ratios.reqPerSec;
  return { what: `${to}: req/s ratio ${value.toFixed(3)}x that at ${from} (target >= ${min}x)`, ok: value >= min };
}

/** The subject's req/s at least `min` times the baseline's, at one point. */
export function throughputCheck(points: CurvePoint[], at: string, min: number): CurveCheck {
  const p = find(points, at);
  return { what: `${at}: req/s ${p.ratios.reqPerSec.toFixed(3)}x ${p.baseline.name}'s (target >= ${min}x)`, ok: p.ratios.reqPerSec >= min };
}

/** The subject's peak RSS at most `maxMb`, at one point. */
export function rssCheck(points: CurvePoint[], at: string, maxMb: number): CurveCheck {
  const p = find(points, at);
  const mb = p.subject.summary.peakRssMb;
  return { what: `${at}: ${p.subject.name} peak RSS ${mb.toFixed(1)} MB (target <= ${maxMb} MB)`, ok: mb <= maxMb };
}

export function formatCurve(c: CurveReport): string {
  const first = c.points[0];
  if (first === undefined) return `${c.curve}: no points`;
  const [s, b] = [first.subject.name, first.baseline.name];
  const rows = [[c.axis, "req/s x", "req/s", "p50 ms", "p99 x", "p99 ms", "CPU x", "CPU µs/req", "peak RSS MB"]];
  for (const p of c.points) {
    const pair = (digits: number, value: (n: NamedSummary) => number): string => `${value(p.subject).toFixed(digits)} / ${value(p.baseline).toFixed(digits)}`;
    rows.push([
      p.label,
      `${p.ratios.reqPerSec.toFixed(3)}x`,
      pair(0, (n) => n.summary.reqPerSec),
      pair(2, (n) => n.summary.p50Ms),
      `${p.ratios.p99.toFixed(3)}x`,
      pair(2, (n) => n.summary.p99Ms),
      `${p.ratios.cpuPerRequest.toFixed(3)}x`,
      pair(1, (n) => n.summary.cpuUsPerRequest),
      pair(1, (n) => n.summary.peakRssMb),
    ]);
  }
  return [
    `${c.curve}: ${c.about}`,
    `  x: ${s}/${b}, the median of the rounds' ratios; other cells: ${s} / ${b}, medians`,
    ...columns(rows, 1).map((l) => `  ${l}`),
    ...c.checks.map((k) => `  ${k.what}  ${mark(k.ok)}`),
  ].join("\n");
}

function find(points: CurvePoint[], label: string): CurvePoint {
  const point = points.find((p) => p.label === label);
  if (point === undefined) throw new Error(`no point ${label} on the curve`);
  return point;
}
