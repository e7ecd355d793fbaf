/**
 * `npm run bench`: the gateway against bench/src/reference.ts, both in front of one users-ts instance
 * on one nats-server, loaded alternately so the machine's noise falls on both alike. Each round
 * loads both; a ratio is the median of the rounds' ratios (see report.ts).
 * Env: BENCH_DURATION (s per round, 10), BENCH_WARMUP (s, 3), BENCH_ROUNDS (2), BENCH_CONNECTIONS (50),
 * BENCH_HEAP_FLAGS (V8 flags for the gateway and the reference; default the production ones),
 * BENCH_SCENARIOS (comma-separated names or prefixes of names, e.g. "POST /users (Protobuf)"; default all).
 * A MISS against a target is reported, not an exit code; failed or non-2xx requests are (exit 1).
 */
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@switchyard/testing";
import { envNumber } from "./env.js";
import { runLoad } from "./load.js";
import { execFileSync } from "node:child_process";
import { cpuMs, freePort, httpOk, repoRoot, RssSampler, spawnBundle, waitUntil, type Child } from "./processes.js";
import { compare, formatTable, summarize, TARGETS, writeJson, type MeasuredRun, type ScenarioReport } from "./report.js";
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

  const [refPort, gwPort] = [await freePort(), await freePort()];
  const reference = track(spawnBundle("reference", "dist/bench-reference.mjs", { ...env, PORT: `${refPort}`, HOST: "127.0.0.1" }, HEAP_FLAGS));
  const gateway = track(
    spawnBundle("gateway", "dist/gateway.mjs", { ...env, PORT: `${gwPort}`, HOST: "127.0.0.1", LOG_LEVEL: "warn" }, HEAP_FLAGS),
  );
  const targets = [
    { name: "reference", child: reference, url: `http://127.0.0.1:${refPort}` },
    { name: "gateway", child: gateway, url: `http://127.0.0.1:${gwPort}` },
  ] as const;
  await Promise.all(targets.map((t) => waitUntil(t.child, () => httpOk(`${t.url}/`))));

  const sampler = new RssSampler(targets.map((t) => t.child.pid));
  cleanup.push(async () => sampler.stop());

  const reports: ScenarioReport[] = [];
  const failures: string[] = [];
  for (const scenario of selectedScenarios()) {
    console.error(`\n${scenario.name}`);
    for (const t of targets) sampler.takePeak(t.child.pid); // start this scenario's window

    const runs: Record<(typeof targets)[number]["name"], MeasuredRun[]> = { reference: [], gateway: [] };
    const load = async (t: (typeof targets)[number], seconds: number, label: string): Promise<MeasuredRun> => {
      const cpuBefore = cpuMs(t.child.pid);
      const run = await runLoad(t.url, scenario, config.connections, seconds);
      if (t.child.exited()) throw new Error(`${t.name} died during the load:\n${t.child.stderrTail()}`);
      const result = { ...run, cpuUsPerRequest: ((cpuMs(t.child.pid) - cpuBefore) * 1000) / Math.max(1, run.total) };
      console.error(`  ${label.padEnd(9)} ${t.name.padEnd(9)} ${describe(result)}`);
      if (result.errors > 0 || result.non2xx > 0) failures.push(`${scenario.name} ${t.name} ${label}: ${describe(result)}`);
      return result;
    };

    for (const t of targets) await load(t, config.warmupS, "warm-up");
    // Rounds alternate which target goes first: the service slows as its store fills, and within
    // a round the second target would always meet the fuller store.
    for (let round = 1; round <= config.rounds; round++) {
      for (const t of round % 2 === 1 ? targets : [...targets].reverse()) {
        runs[t.name].push(await load(t, config.durationS, `round ${round}`));
      }
    }
    reports.push(
      compare(
        scenario.name,
        summarize(runs.reference, sampler.takePeak(reference.pid)),
        summarize(runs.gateway, sampler.takePeak(gateway.pid)),
        // Passing bytes through, the gateway does what the reference does: it must keep up fully.
        { minThroughputRatio: scenario === createUserProtobuf ? 1.0 : TARGETS.minThroughputRatio },
      ),
    );
  }

  console.log(`\n${formatTable(reports)}`);
  await writeJson(RESULTS, { date: new Date().toISOString(), node: process.version, config, scenarios: reports, failures });
  console.log(`\nresults: ${RESULTS}`);
  if (failures.length > 0) throw new Error(`requests failed, the numbers above are not valid:\n  ${failures.join("\n  ")}`);
}

function track(child: Child): Child {
  cleanup.push(() => child.stop());
  return child;
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

function selectedScenarios(): Scenario[] {
  const all = [ping, createUser, createUserProtobuf];
  const wanted = process.env["BENCH_SCENARIOS"];
  if (wanted === undefined || wanted === "") return all;
  const names = wanted.split(",").map((n) => n.trim());
  const chosen = all.filter((s) => names.some((n) => s.name === n || s.name.startsWith(n)));
  if (chosen.length === 0) throw new Error(`BENCH_SCENARIOS matches none of: ${all.map((s) => s.name).join(" | ")}`);
  return chosen;
}
