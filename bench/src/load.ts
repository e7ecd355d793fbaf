/** One autocannon run against one target, reduced to the numbers the bench compares. */
import autocannon from "autocannon";
import type { Scenario } from "./requests.js";

export interface RunResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Count per status code, to say what the non-2xx were. */
  statusCodes: Record<string, number>;
}

export async function runLoad(url: string, scenario: Scenario, connections: number, seconds: number): Promise<RunResult> {
  // autocannon's own percentiles are whole milliseconds, too coarse for a 10% p99 target at ~15 ms:
  // keep every response time (float ms) and take exact percentiles after the run.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options = {
      url,
      connections,
      duration: seconds,
      // A fresh copy per run: autocannon writes its built request buffers onto these objects.
      requests: scenario.requests.map((r) => ({ ...r })),
    };
    const instance = autocannon(options, (err: unknown, res) => (err ? reject(err as Error) : resolve(res)));
    instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  latencies.sort((a, b) => a - b);

  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0;
  return {
    reqPerSec: result.requests.average,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    total: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes,
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
