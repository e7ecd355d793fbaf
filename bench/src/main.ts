/**
 * `npm run bench`: comparisons in pairs, each pair loaded alternately in rounds so the machine's
 * noise falls on both alike; a ratio is the median of the rounds' ratios (see report.ts).
 * - the gateway against bench/src/reference.ts, both in front of one users-ts instance (Ping,
 *   POST /users in JSON and in Protobuf);
 * - CreateUser at its RPC path in Connect (Protobuf) and in gRPC-Web, each against the REST
 *   Protobuf passthrough POST /users on that same gateway (rpc-protocols.ts);
 * - POST /users with a 50/50 traffic policy between two users-ts deployments, against the same
 *   gateway and deployments with no policy;
 * - POST /users through a gateway as it runs by default (metrics on, tracing with no exporter),
 *   against one with METRICS=false, both started for the comparison; the same with
 *   VALIDATE_AT_GATEWAY=true against the default (what checking the rules twice costs);
 * - Ping through a gateway of two processes (GATEWAY_PROCESSES=2) against one (multi-core.ts);
 * - capacity: CPU per request of the gateway, the instance and nats-server, and the latency a create
 *   adds (capacity.ts; README "Capacity on paper");
 * - curves, the gateway against the reference at each point: routes served, body size,
 *   connections (curves/);
 * and how long GET /metrics takes on a gateway serving 1,000 routes that have all had traffic.
 * Env: BENCH_DURATION (s per round, 10), BENCH_ROUNDS (2), BENCH_CURVE_DURATION and
 * BENCH_CURVE_ROUNDS (the same for each point of a curve: 4, 3), BENCH_WARMUP (s, 3),
 * BENCH_CONNECTIONS (50; the body-size and connections curves set their own), BENCH_HEAP_FLAGS (V8
 * flags for the gateways and the reference; default the production ones), BENCH_SCENARIOS
 * (comma-separated names or prefixes of names, e.g. "POST /users (Protobuf)" or "routes"; default all).
 * The default run takes about 15 minutes on a 2-core machine.
 * A MISS against a target is reported, not an exit code; failed or non-2xx requests are (exit 1).
 */
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { REPO_ROOT, startNatsServer } from "@switchyard/testing";
import { formatCurve, type CurveReport } from "./curve-report.js";
import { CAPACITY, capacity, formatCapacity, type CapacityReport } from "./capacity.js";
import { BODY_CURVE, bodyCurve } from "./curves/body-size.js";
import { CONNECTIONS_CURVE, connectionsCurve } from "./curves/connections.js";
import { ROUTES_CURVE, routesCurve } from "./curves/routes.js";
import { envNumber } from "./env.js";
import { Harness, type Settings, type Side } from "./harness.js";
import { measureMetricsScrape, type ScrapeReport } from "./metrics-scrape.js";
import { MULTI_CORE, multiCore } from "./multi-core.js";
import { compare, formatScrape, formatTable, writeJson, type ScenarioReport, type ScenarioTargets } from "./report.js";
import { RPC_PROTOCOLS, rpcProtocols } from "./rpc-protocols.js";
import { createUser, createUserProtobuf, ping, type Scenario } from "./requests.js";

const settings: Settings = {
  durationS: envNumber("BENCH_DURATION", 10),
  rounds: envNumber("BENCH_ROUNDS", 2),
  warmupS: envNumber("BENCH_WARMUP", 3),
  connections: envNumber("BENCH_CONNECTIONS", 50),
  curve: { durationS: envNumber("BENCH_CURVE_DURATION", 4), rounds: envNumber("BENCH_CURVE_ROUNDS", 3) },
};
const RESULTS = join(REPO_ROOT, "bench/results/latest.json");
/** The gateway's production V8 heap settings (see README), given to the reference too. */
const HEAP_FLAGS = (process.env["BENCH_HEAP_FLAGS"] ?? "--max-semi-space-size=4 --max-old-space-size=96").split(" ");
const USERS = "users.v1.UserService";
const SPLIT = "POST /users split 50/50";
const METRICS_OFF = "POST /users metrics off";
const VALIDATED = "POST /users validated at the gateway";
const SCRAPE = "GET /metrics 1000 routes";
const ALL = [ping.name, createUser.name, createUserProtobuf.name, ...RPC_PROTOCOLS, SPLIT, METRICS_OFF, VALIDATED, MULTI_CORE, CAPACITY, SCRAPE, ROUTES_CURVE, BODY_CURVE, CONNECTIONS_CURVE];
/** Issue 16's bar against the reference: at least its req/s (1.1x passing Protobuf through), at most its p99, and for JSON at most its CPU. */
const AGAINST_REFERENCE = new Map<Scenario, ScenarioTargets>([
  [ping, { minThroughputRatio: 1.0, maxP99Ratio: 1.0 }],
  [createUser, { minThroughputRatio: 1.0, maxP99Ratio: 1.0, maxCpuRatio: 1.0 }],
  [createUserProtobuf, { minThroughputRatio: 1.1, maxP99Ratio: 1.0 }],
]);
const CURVES = [
  { name: ROUTES_CURVE, run: routesCurve },
  { name: BODY_CURVE, run: bodyCurve },
  { name: CONNECTIONS_CURVE, run: connectionsCurve },
];

const harness = new Harness(settings, HEAP_FLAGS);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => void harness.teardown().finally(() => process.exit(code)));
}

try {
  await bench();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await harness.teardown();
}

async function bench(): Promise<void> {
  const wanted = selection();
  // Every process runs from its bundle, as in production: a fair and current comparison.
  execFileSync("npm", ["run", "--silent", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
  console.error(`config: ${JSON.stringify(settings)}`);

  // Every POST stores a user and an email claim: rounds of 50 connections outgrow the tests' store.
  const nats = await startNatsServer({ jetstreamMaxFileMb: 8192 });
  harness.defer(() => nats.stop());
  const env = { NATS_URL: nats.url };
  const users = await harness.startService("users-ts", "dist/users-ts.mjs", env, `${USERS}.Ping`);

  const reports: ScenarioReport[] = [];
  const againstReference = [ping, createUser, createUserProtobuf].filter((s) => wanted(s.name));
  const rpc = RPC_PROTOCOLS.some(wanted);
  if (againstReference.length > 0 || rpc || wanted(SPLIT)) {
    const reference = await harness.startHttp("reference", "dist/bench-reference.mjs", env);
    const gateway = await harness.startHttp("gateway", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn" });
    for (const scenario of againstReference) {
      const pair = await harness.measure({ name: scenario.name, scenario, baseline: reference, subject: gateway });
      reports.push(compare(scenario.name, pair.baseline, pair.subject, AGAINST_REFERENCE.get(scenario)));
    }
    if (rpc) reports.push(...(await rpcProtocols(harness, gateway, wanted)));
    if (wanted(SPLIT)) reports.push(await split(gateway));
    await Promise.all([reference.child.stop(), gateway.child.stop()]);
  }

  if (wanted(METRICS_OFF)) {
    reports.push(await settingApart(METRICS_OFF, { name: "off", env: { METRICS: "false" } }, { name: "on", env: {} }, 0.97));
  }
  if (wanted(VALIDATED)) {
    // What checking the rules at the gateway as well costs: no target, a figure for the README.
    reports.push(await settingApart(VALIDATED, { name: "default", env: {} }, { name: "validated", env: { VALIDATE_AT_GATEWAY: "true" } }, 0));
  }

  if (wanted(MULTI_CORE)) reports.push(await multiCore(harness, nats.url));

  let capacityReport: CapacityReport | undefined;
  if (wanted(CAPACITY)) capacityReport = await capacity(harness, nats, users, settings.durationS, settings.connections);

  let scrape: ScrapeReport | undefined;
  if (wanted(SCRAPE)) scrape = await measureMetricsScrape(nats, 1_000);

  const curves: CurveReport[] = [];
  for (const curve of CURVES) if (wanted(curve.name)) curves.push(await curve.run(harness, nats.url));

  if (reports.length > 0) console.log(`\n${formatTable(reports)}`);
  if (scrape !== undefined) console.log(formatScrape(scrape));
  if (capacityReport !== undefined) console.log(`\n${formatCapacity(capacityReport)}`);
  for (const curve of curves) console.log(`\n${formatCurve(curve)}`);
  const { failures } = harness;
  await writeJson(RESULTS, { date: new Date().toISOString(), node: process.version, config: settings, scenarios: reports, scrape, capacity: capacityReport, curves, failures });
  console.log(`\nresults: ${RESULTS}`);
  if (failures.length > 0) throw new Error(`requests failed, the numbers above are not valid:\n  ${failures.join("\n  ")}`);

  /** Two fresh gateways, started together: the same age, the same heap, one setting apart. */
  async function settingApart(name: string, baseline: Setting, subject: Setting, minThroughputRatio: number): Promise<ScenarioReport> {
    const [b, s] = await Promise.all(
      [baseline, subject].map((side) => harness.startHttp(`gateway (${side.name})`, "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn", ...side.env })),
    );
    const pair = await harness.measure({ name, scenario: createUser, baseline: { ...b!, name: baseline.name }, subject: { ...s!, name: subject.name } });
    await Promise.all([b!.child.stop(), s!.child.stop()]);
    return compare(name, pair.baseline, pair.subject, { minThroughputRatio });
  }

  /**
   * A second deployment for the whole comparison: without a policy the shared queue group spreads
   * over both, with it the gateway picks one per request. The same processes serve both sides.
   */
  async function split(gateway: Side): Promise<ScenarioReport> {
    const second = await harness.startService("users-ts (users-b)", "dist/users-ts.mjs", { ...env, SWITCHYARD_DEPLOYMENT: "users-b" }, `${USERS}.Ping`);
    const policy = (body: unknown) => async () => {
      const res = await fetch(`${gateway.url}/_/traffic/${USERS}`, body === undefined ? { method: "DELETE" } : jsonPut(body));
      if (res.status !== 200) throw new Error(`traffic policy: ${res.status} ${await res.text()}`);
    };
    const pair = await harness.measure({
      name: SPLIT,
      scenario: createUser,
      baseline: { ...gateway, name: "no policy", before: policy(undefined) },
      subject: { ...gateway, name: "split", before: policy({ policy: { weights: { "users-ts": 50, "users-b": 50 } } }) },
    });
    await policy(undefined)();
    await second.stop();
    return compare(SPLIT, pair.baseline, pair.subject, { minThroughputRatio: 0.95 });
  }
}

/** One side of a comparison of two gateways: its name in the table and the settings it starts with. */
interface Setting {
  name: string;
  env: Record<string, string>;
}

function jsonPut(body: unknown): RequestInit {
  return { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** Whether BENCH_SCENARIOS asks for a comparison or a curve (all when unset). */
function selection(): (name: string) => boolean {
  const wanted = process.env["BENCH_SCENARIOS"];
  if (wanted === undefined || wanted === "") return () => true;
  const names = wanted.split(",").map((n) => n.trim());
  const matches = (name: string) => names.some((n) => name === n || name.startsWith(n));
  if (!ALL.some(matches)) throw new Error(`BENCH_SCENARIOS matches none of: ${ALL.join(" | ")}`);
  return matches;
}
