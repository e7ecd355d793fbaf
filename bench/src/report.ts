/** Medians, ratios against the reference, the targets, the table and the JSON file. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunResult } from "./load.js";

export const TARGETS = { minThroughputRatio: 0.9, maxP99Ratio: 1.1, maxRssMb: 100, maxScrapeMs: 50 } as const;

export interface ScenarioTargets {
  /** Subject req/s over the baseline's at least this. */
  minThroughputRatio: number;
  /** Subject p99 over the baseline's at most this; default TARGETS.maxP99Ratio. */
  maxP99Ratio?: number;
  /** Subject CPU per request over the baseline's at most this; none by default. */
  maxCpuRatio?: number;
  /** The subject's peak RSS at most this; default TARGETS.maxRssMb. */
  maxRssMb?: number;
}

/** One side of a comparison, named as the table shows it. */
export interface NamedSummary {
  name: string;
  summary: TargetSummary;
}

/** One load run, with the CPU time the target spent per request during it. */
export type MeasuredRun = RunResult & { cpuUsPerRequest: number };

export interface TargetSummary {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  peakRssMb: number;
  runs: MeasuredRun[];
}

export interface ScenarioReport {
  scenario: string;
  /** The side a ratio divides by: the reference, no policy, metrics off. */
  baseline: NamedSummary;
  /** The side measured against it: the gateway, a split policy, metrics on. */
  subject: NamedSummary;
  ratios: { reqPerSec: number; p99: number; cpuPerRequest: number };
  targets: ScenarioTargets;
  checks: { throughput: boolean; p99: boolean; cpu: boolean; rss: boolean };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median over rounds of subject/baseline within a round. Both sides of a round ran back to
 * back against the same store and machine; across rounds the store grows and the machine's load
 * moves, so a ratio of the two sides' medians can pair a fast round of one with a slow one of the
 * other.
 */
export function pairedRatio(subject: MeasuredRun[], baseline: MeasuredRun[], value: (r: MeasuredRun) => number): number {
  return median(subject.map((g, i) => value(g) / value(baseline[i]!)));
}

export function summarize(runs: MeasuredRun[], peakRssBytes: number): TargetSummary {
  return {
    reqPerSec: median(runs.map((r) => r.reqPerSec)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
    peakRssMb: peakRssBytes / 2 ** 20,
    runs,
  };
}

export function compare(
  scenario: string,
  baseline: NamedSummary,
  subject: NamedSummary,
  targets: ScenarioTargets = { minThroughputRatio: TARGETS.minThroughputRatio },
): ScenarioReport {
  const [b, s] = [baseline.summary.runs, subject.summary.runs];
  const ratios = {
    reqPerSec: pairedRatio(s, b, (r) => r.reqPerSec),
    p99: pairedRatio(s, b, (r) => r.p99Ms),
    cpuPerRequest: pairedRatio(s, b, (r) => r.cpuUsPerRequest),
  };
  return {
    scenario,
    baseline,
    subject,
    ratios,
    targets,
    checks: {
      throughput: ratios.reqPerSec >= targets.minThroughputRatio,
      p99: ratios.p99 <= (targets.maxP99Ratio ?? TARGETS.maxP99Ratio),
      cpu: targets.maxCpuRatio === undefined || ratios.cpuPerRequest <= targets.maxCpuRatio,
      rss: subject.summary.peakRssMb <= (targets.maxRssMb ?? TARGETS.maxRssMb),
    },
  };
}

export function formatTable(reports: ScenarioReport[]): string {
  const rows = [["scenario", "side", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "peak RSS MB"]];
  for (const r of reports) {
    for (const { name, summary: s } of [r.baseline, r.subject]) {
      const cells = [s.reqPerSec.toFixed(0), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), s.cpuUsPerRequest.toFixed(1), s.peakRssMb.toFixed(1)];
      rows.push([r.scenario, name, ...cells]);
    }
  }
  const out = [...columns(rows, 2), ""];

  for (const r of reports) {
    out.push(`${r.scenario}: ${r.subject.name}/${r.baseline.name}`);
    out.push(`  req/s ${r.ratios.reqPerSec.toFixed(3)}x (target >= ${r.targets.minThroughputRatio}x)  ${mark(r.checks.throughput)}`);
    out.push(`  p99   ${r.ratios.p99.toFixed(3)}x (target <= ${r.targets.maxP99Ratio ?? TARGETS.maxP99Ratio}x)  ${mark(r.checks.p99)}`);
    const cpuTarget = r.targets.maxCpuRatio === undefined ? "" : ` (target <= ${r.targets.maxCpuRatio}x)  ${mark(r.checks.cpu)}`;
    out.push(`  CPU per request ${r.ratios.cpuPerRequest.toFixed(3)}x${cpuTarget}`);
    out.push(`  ${r.subject.name} RSS ${r.subject.summary.peakRssMb.toFixed(1)} MB (target <= ${r.targets.maxRssMb ?? TARGETS.maxRssMb} MB)  ${mark(r.checks.rss)}`);
  }
  const json = reports.find((r) => r.scenario === "POST /users");
  const proto = reports.find((r) => r.scenario === "POST /users (Protobuf)");
  if (json !== undefined && proto !== undefined) {
    out.push("POST /users through the gateway: Protobuf passthrough/JSON");
    const [p, j] = [proto.subject.summary, json.subject.summary];
    out.push(`  req/s ${(p.reqPerSec / j.reqPerSec).toFixed(3)}x  p99 ${(p.p99Ms / j.p99Ms).toFixed(3)}x`);
  }
  return out.join("\n");
}

/** A table's lines: the header row, a rule, the rows; the first `left` columns aligned left, numbers right. */
export function columns(rows: string[][], left: number): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i < left ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)];
}

export function mark(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

/** The /metrics timing, against its target. */
export function formatScrape(r: { routes: number; samples: number; bytes: number; medianMs: number; maxMs: number; scrapes: number }): string {
  const ok = r.medianMs < TARGETS.maxScrapeMs;
  return (
    `GET /metrics with ${r.routes.toLocaleString("en")} routes that all had traffic: ${r.samples} samples, ${(r.bytes / 1024).toFixed(0)} KiB\n` +
    `  median ${r.medianMs.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms over ${r.scrapes} scrapes (target median < ${TARGETS.maxScrapeMs} ms)  ${mark(ok)}`
  );
}

export async function writeJson(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(data, null, 2) + "\n");
}
