/** Medians, ratios against the reference, the targets, the table and the JSON file. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunResult } from "./load.js";

export const TARGETS = { minThroughputRatio: 0.9, maxP99Ratio: 1.1, maxRssMb: 100 } as const;

export interface ScenarioTargets {
  /** Gateway req/s over the reference's at least this (0.9 transcoding; 1.0 passthrough). */
  minThroughputRatio: number;
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
  reference: TargetSummary;
  gateway: TargetSummary;
  ratios: { reqPerSec: number; p99: number; cpuPerRequest: number };
  targets: ScenarioTargets;
  checks: { throughput: boolean; p99: boolean; rss: boolean };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median over rounds of gateway/reference within a round. Both targets of a round ran back to
 * back against the same store and machine; across rounds the store grows and the machine's load
 * moves, so a ratio of the two sides' medians can pair a fast round of one with a slow one of the
 * other.
 */
export function pairedRatio(gateway: MeasuredRun[], reference: MeasuredRun[], value: (r: MeasuredRun) => number): number {
  return median(gateway.map((g, i) => value(g) / value(reference[i]!)));
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
  reference: TargetSummary,
  gateway: TargetSummary,
  targets: ScenarioTargets = { minThroughputRatio: TARGETS.minThroughputRatio },
): ScenarioReport {
  const ratios = {
    reqPerSec: pairedRatio(gateway.runs, reference.runs, (r) => r.reqPerSec),
    p99: pairedRatio(gateway.runs, reference.runs, (r) => r.p99Ms),
    cpuPerRequest: pairedRatio(gateway.runs, reference.runs, (r) => r.cpuUsPerRequest),
  };
  return {
    scenario,
    reference,
    gateway,
    ratios,
    targets,
    checks: {
      throughput: ratios.reqPerSec >= targets.minThroughputRatio,
      p99: ratios.p99 <= TARGETS.maxP99Ratio,
      rss: gateway.peakRssMb <= TARGETS.maxRssMb,
    },
  };
}

export function formatTable(reports: ScenarioReport[]): string {
  const rows = [["scenario", "target", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "peak RSS MB"]];
  for (const r of reports) {
    for (const [target, s] of [["reference", r.reference], ["gateway", r.gateway]] as const) {
      const cells = [s.reqPerSec.toFixed(0), s.p50Ms.toFixed(2), s.p99Ms.toFixed(2), s.cpuUsPerRequest.toFixed(1), s.peakRssMb.toFixed(1)];
      rows.push([r.scenario, target, ...cells]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const out = [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line), ""];

  const mark = (ok: boolean): string => (ok ? "PASS" : "MISS");
  for (const r of reports) {
    out.push(`${r.scenario}: gateway/reference`);
    out.push(`  req/s ${r.ratios.reqPerSec.toFixed(3)}x (target >= ${r.targets.minThroughputRatio}x)  ${mark(r.checks.throughput)}`);
    out.push(`  p99   ${r.ratios.p99.toFixed(3)}x (target <= ${TARGETS.maxP99Ratio}x)  ${mark(r.checks.p99)}`);
    out.push(`  CPU per request ${r.ratios.cpuPerRequest.toFixed(3)}x`);
    out.push(`  gateway RSS ${r.gateway.peakRssMb.toFixed(1)} MB (target <= ${TARGETS.maxRssMb} MB)  ${mark(r.checks.rss)}`);
  }
  const json = reports.find((r) => r.scenario === "POST /users");
  const proto = reports.find((r) => r.scenario === "POST /users (Protobuf)");
  if (json !== undefined && proto !== undefined) {
    out.push("POST /users through the gateway: Protobuf passthrough/JSON");
    out.push(`  req/s ${(proto.gateway.reqPerSec / json.gateway.reqPerSec).toFixed(3)}x  p99 ${(proto.gateway.p99Ms / json.gateway.p99Ms).toFixed(3)}x`);
  }
  return out.join("\n");
}

export async function writeJson(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(data, null, 2) + "\n");
}
