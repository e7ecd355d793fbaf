/**
 * GATEWAY_PROCESSES=2 against 1: two gateway processes (a primary and two workers, their CPU and
 * RSS summed) against one, on `GET /` (Ping), where the gateway's share of the work is largest.
 * Both started for the comparison, at the same age.
 */
import type { Harness } from "./harness.js";
import { compare, TARGETS, type ScenarioReport } from "./report.js";
import { ping } from "./requests.js";

export const MULTI_CORE = "GET / 2 processes";

export async function multiCore(h: Harness, natsUrl: string): Promise<ScenarioReport> {
  const env = { NATS_URL: natsUrl, LOG_LEVEL: "warn" };
  const [one, two] = await Promise.all([
    h.startHttp("1 process", "dist/gateway.mjs", env),
    h.startHttp("2 processes", "dist/gateway.mjs", { ...env, GATEWAY_PROCESSES: "2" }),
  ]);
  const pair = await h.measure({ name: MULTI_CORE, scenario: ping, baseline: one, subject: two });
  await Promise.all([one.child.stop(), two.child.stop()]);
  // Three processes hold a heap each: the primary's, which only forks and watches, and two gateways'.
  return compare(MULTI_CORE, pair.baseline, pair.subject, { minThroughputRatio: 1.0, maxRssMb: 3 * TARGETS.maxRssMb });
}
