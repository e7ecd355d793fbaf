/**
 * `npm run bench`: comparisons in pairs, each pair loaded alternately in rounds so the machine's
 * noise falls on both alike; a ratio is the median of the rounds' ratios (see report.ts).
 * - the gateway against bench/src/reference.ts, both in front of one users-ts instance (Ping,
 *   POST /users in JSON and in Protobuf);
 * - POST /users with a 50/50 traffic policy between two users-ts deployments, against the same
 *   gateway and deployments with no policy;
 * - POST /users through a gateway as it runs by default (metrics on, tracing with no exporter),
 *   against one with METRICS=false, both started for the comparison;
 * and how long GET /metrics takes on a gateway serving 1,000 routes that have all had traffic.
 * Env: BENCH_DURATION (s per round, 10), BENCH_WARMUP (s, 3), BENCH_ROUNDS (2), BENCH_CONNECTIONS (50),
 * BENCH_HEAP_FLAGS (V8 flags for the gateways and the reference; default the production ones),
 * BENCH_SCENARIOS (comma-separated names or prefixes of names, e.g. "POST /users (Protobuf)"; default all).
 * A MISS against a target is reported, not an exit code; failed or non-2xx requests are (exit 1).
 */
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort, startNatsServer } from "@switchyard/testing";
import { envNumber } from "./env.js";
import { runLoad } from "./load.js";
import { execFileSync } from "node:child_process";
import { measureMetricsScrape, type ScrapeReport } from "./metrics-scrape.js";
import { cpuMs, httpOk, repoRoot, RssSampler, spawnBundle, waitUntil, type Child } from "./processes.js";
import { compare, formatScrape, formatTable, summarize, TARGETS, writeJson, type MeasuredRun, type ScenarioReport, type ScenarioTargets } from "./report.js";
import { createUser, createUserProtobuf, ping, type Scenario } from "./requests.js";

const config = {
  durationS: envNumber("BENCH_DURATION", 10),
  warmupS: envNumber("BENCH_WARMUP", 3),
  rounds: envNumber("BENCH_ROUNDS", 2),
  connections: envNumber("BENCH_CONNECTIONS", 50),
};
const RESULTS = join(repoRoot, "bench/results/latest.json");
/** The gateway's production V8 heap settings (see README), given to the reference too. */
const HEAP_FLAGS = (process.env["BENCH_HEAP_FLAGS"] ?? "--max-semi-space-size=4 --max-old-space-size=96").split(" ");
const USERS = "users.v1.UserService";
const ALL = [ping.name, createUser.name, createUserProtobuf.name, "POST /users split 50/50", "POST /users metrics off", "GET /metrics 1000 routes"];

/** One side of a comparison: a process serving HTTP, and what to do before each of its loads. */
interface Side {
  name: string;
  url: string;
  child: Child;
  before?: () => Promise<void>;
}

/** A comparison: the subject against the baseline, on one scenario. */
interface Comparison {
  name: string;
  scenario: Scenario;
  baseline: Side;
  subject: Side;
  targets: ScenarioTargets;
}

// Teardown steps, run last-first, whether the bench ends, fails or is interrupted.
const cleanup: Array<() => Promise<void>> = [];
let tornDown: Promise<void> | undefined;
function teardown(): Promise<void> {
  tornDown ??= (async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => console.error("teardown:", err));
  })();
  return tornDown;
}
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => void teardown().finally(() => process.exit(code)));
}

try {
  await bench();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await teardown();
}

async function bench(): Promise<void> {
  // Every process runs from its bundle, as in production: a fair and current comparison.
  execFileSync("npm", ["run", "--silent", "build"], { cwd: repoRoot, stdio: "inherit" });
  console.error(`config: ${JSON.stringify(config)}`);

  // Every POST stores a user and an email claim: rounds of 50 connections outgrow the tests' store.
  const nats = await startNatsServer({ jetstreamMaxFileMb: 8192 });
  cleanup.push(() => nats.stop());
  const env = { NATS_URL: nats.url };

  const users = track(spawnBundle("users-ts", "dist/users-ts.mjs", env));
  await waitUntil(users, () => answersPing(nats.url));

  const reference = await startHttp("reference", "dist/bench-reference.mjs", env);
  const gateway = await startHttp("gateway", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn" });
  const sampler = new RssSampler([reference.child.pid, gateway.child.pid]);
  cleanup.push(async () => sampler.stop());

  const reports: ScenarioReport[] = [];
  const failures: string[] = [];
  const wanted = selection();

  for (const scenario of [ping, createUser, createUserProtobuf]) {
    if (!wanted(scenario.name)) continue;
    // Passing bytes through, the gateway does what the reference does: it must keep up fully.
    const min = scenario === createUserProtobuf ? 1.0 : TARGETS.minThroughputRatio;
    reports.push(await run({ name: scenario.name, scenario, baseline: reference, subject: gateway, targets: { minThroughputRatio: min } }, sampler, failures));
  }

  const split = "POST /users split 50/50";
  if (wanted(split)) {
    // A second deployment for the whole comparison: without a policy the shared queue group spreads
    // over both, with it the gateway picks one per request. The same processes serve both sides.
    const second = track(spawnBundle("users-ts (users-b)", "dist/users-ts.mjs", { ...env, SWITCHYARD_DEPLOYMENT: "users-b" }));
    await waitUntil(second, () => answersPing(nats.url));
    const policy = (body: unknown) => async () => {
      const res = await fetch(`${gateway.url}/_/traffic/${USERS}`, body === undefined ? { method: "DELETE" } : jsonPut(body));
      if (res.status !== 200) throw new Error(`traffic policy: ${res.status} ${await res.text()}`);
    };
    reports.push(
      await run(
        {
          name: split,
          scenario: createUser,
          baseline: { ...gateway, name: "no policy", before: policy(undefined) },
          subject: { ...gateway, name: "split", before: policy({ policy: { weights: { "users-ts": 50, "users-b": 50 } } }) },
          targets: { minThroughputRatio: 0.95 },
        },
        sampler,
        failures,
      ),
    );
    await policy(undefined)();
    await second.stop();
  }

  const bare = "POST /users metrics off";
  if (wanted(bare)) {
    // Two fresh gateways, started together: the same age, the same heap, one setting apart.
    const [on, off] = await Promise.all([
      startHttp("gateway (metrics on)", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn" }),
      startHttp("gateway (METRICS=false)", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn", METRICS: "false" }),
    ]);
    const pairSampler = new RssSampler([on.child.pid, off.child.pid]);
    reports.push(
      await run(
        { name: bare, scenario: createUser, baseline: { ...off, name: "off" }, subject: { ...on, name: "on" }, targets: { minThroughputRatio: 0.97 } },
        pairSampler,
        failures,
      ),
    );
    pairSampler.stop();
    await Promise.all([on.child.stop(), off.child.stop()]);
  }

  let scrape: ScrapeReport | undefined;
  if (wanted("GET /metrics 1000 routes")) scrape = await measureMetricsScrape(nats, 1_000);

  console.log(`\n${formatTable(reports)}`);
  if (scrape !== undefined) console.log(formatScrape(scrape));
  await writeJson(RESULTS, { date: new Date().toISOString(), node: process.version, config, scenarios: reports, scrape, failures });
  console.log(`\nresults: ${RESULTS}`);
  if (failures.length > 0) throw new Error(`requests failed, the numbers above are not valid:\n  ${failures.join("\n  ")}`);

  async function startHttp(name: string, bundle: string, childEnv: Record<string, string>): Promise<Side> {
    const port = await freePort();
    const child = track(spawnBundle(name, bundle, { ...childEnv, PORT: `${port}`, HOST: "127.0.0.1" }, HEAP_FLAGS));
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(child, () => httpOk(`${url}/`));
    return { name, url, child };
  }
}

/** Warm-up, then rounds alternating which side goes first: the store fills and the second would always meet it fuller. */
async function run(c: Comparison, sampler: RssSampler, failures: string[]): Promise<ScenarioReport> {
  console.error(`\n${c.name}: ${c.subject.name} against ${c.baseline.name}`);
  const sides = [c.baseline, c.subject];
  for (const side of sides) sampler.takePeak(side.child.pid); // start this comparison's window
  const runs = new Map<Side, MeasuredRun[]>(sides.map((s) => [s, []]));
  const load = async (side: Side, seconds: number, label: string): Promise<MeasuredRun> => {
    await side.before?.();
    const cpuBefore = cpuMs(side.child.pid);
    const result = await runLoad(side.url, c.scenario, config.connections, seconds);
    if (side.child.exited()) throw new Error(`${side.child.name} died during the load:\n${side.child.stderrTail()}`);
    const measured = { ...result, cpuUsPerRequest: ((cpuMs(side.child.pid) - cpuBefore) * 1000) / Math.max(1, result.total) };
    console.error(`  ${label.padEnd(9)} ${side.name.padEnd(10)} ${describe(measured)}`);
    if (measured.errors > 0 || measured.non2xx > 0) failures.push(`${c.name} ${side.name} ${label}: ${describe(measured)}`);
    return measured;
  };
  for (const side of sides) await load(side, config.warmupS, "warm-up");
  for (let round = 1; round <= config.rounds; round++) {
    for (const side of round % 2 === 1 ? sides : [...sides].reverse()) runs.get(side)!.push(await load(side, config.durationS, `round ${round}`));
  }
  return compare(
    c.name,
    { name: c.baseline.name, summary: summarize(runs.get(c.baseline)!, sampler.takePeak(c.baseline.child.pid)) },
    { name: c.subject.name, summary: summarize(runs.get(c.subject)!, sampler.takePeak(c.subject.child.pid)) },
    c.targets,
  );
}

function track(child: Child): Child {
  cleanup.push(() => child.stop());
  return child;
}

function jsonPut(body: unknown): RequestInit {
  return { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

async function answersPing(url: string): Promise<boolean> {
  const nc = await connect({ servers: url });
  try {
    await nc.request("users.v1.UserService.Ping", new Uint8Array(), { timeout: 1000 });
    return true;
  } finally {
    await nc.close();
  }
}

function describe(r: MeasuredRun): string {
  const bad = r.errors + r.non2xx > 0 ? `  ERRORS ${r.errors} non-2xx ${r.non2xx} ${JSON.stringify(r.statusCodes)}` : "";
  const cpu = `${r.cpuUsPerRequest.toFixed(1)} µs CPU/req`;
  return `${r.reqPerSec.toFixed(0)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ${cpu}  (${r.total} requests)${bad}`;
}


/** Whether BENCH_SCENARIOS asks for a comparison (all when unset). */
function selection(): (name: string) => boolean {
  const wanted = process.env["BENCH_SCENARIOS"];
  if (wanted === undefined || wanted === "") return () => true;
  const names = wanted.split(",").map((n) => n.trim());
  const matches = (name: string) => names.some((n) => name === n || name.startsWith(n));
  if (!ALL.some(matches)) throw new Error(`BENCH_SCENARIOS matches none of: ${ALL.join(" | ")}`);
  return matches;
}
