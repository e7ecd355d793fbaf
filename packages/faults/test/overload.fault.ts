import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import {
  cpuMs,
  latency,
  listenOverflows,
  MARGIN_MS,
  outcomes,
  percentile,
  processCpuMs,
  REQUEST_TIMEOUT_MS,
  runFlood,
  runScenario,
  serverLatency,
  type FloodRecord,
  type FloodReport,
  type Scenario,
} from "../src/index.js";

/** The flood: this many keep-alive connections, each with one request at a time, opened evenly over the ramp. */
const CONNECTIONS = 2_000;
const FLOOD_MS = 10_000;
const RAMP_MS = 2_000;
/** The reference: the same request from this many connections, in the same run, just before the flood. */
const BASELINE_CONNECTIONS = 50;
const BASELINE_MS = 5_000;
/** Above the flood, so that no connection is refused for the cap: what is measured is the admission limit. */
const MAX_CONNECTIONS = 4_000;
/**
 * The admission limit, sized to this machine. Once the services are the bottleneck, a request waits
 * about (requests in flight / throughput): at a limit of L, the accepted requests' latency is about
 * L / 50 times the 50-connection one, so "within 3x" needs L well under 150 on two cores shared
 * with the services and the flood client. The default (256) suits a machine where the gateway has
 * its cores; what this scenario tests is that the limit holds.
 */
const MAX_IN_FLIGHT = 64;
/** The accepted requests' p99 under the flood, at most this many times the baseline's p99. */
const P99_FACTOR = 3;
/**
 * A 503 OVERLOADED is decided before the body is read and without asking a service; what it waits
 * is the event loop getting to it among 2,000 busy connections. Its p99 stays under this.
 */
const SHED_P99_MS = 500;
/**
 * A connection's first request during the ramp waits for both event loops to register the new
 * socket (see judge); it must be answered within this, or it is a HANG.
 */
const FIRST_REQUEST_TIMEOUT_MS = 20_000;
/** Users created before the runs; the flood reads one of them. */
const SEED = 20;
/** The steady state: from this long after the flood started (the ramp and a second). */
const STEADY_FROM_MS = RAMP_MS + 1_000;

const is2xx = (r: FloodRecord): boolean => r.status >= 200 && r.status < 300;
const isShed = (r: FloodRecord): boolean => r.status === 503 && r.code === "OVERLOADED";
/** The kernel's cap on a listen backlog: the gateway's LISTEN_BACKLOG is cut to it. */
const somaxconn = await readFile("/proc/sys/net/core/somaxconn", "utf8").then((t) => t.trim(), () => undefined);
const ms = (n: number): string => `${Number.isNaN(n) ? "-" : n.toFixed(1)} ms`;

describe("fault: 2,000 connections at once", () => {
  it("sheds with immediate 503 OVERLOADED and Retry-After while the accepted requests keep their latency", { timeout: 180_000 }, async () => {
    await runScenario(
      {
        name: "overload",
        typescript: 2,
        ruby: 1,
        // The flood is the load: no other client competes for the two cores.
        workers: 0,
        seed: SEED,
        // The access log writes two lines per request: at thousands a second it would be what is measured.
        gatewayEnv: { MAX_CONNECTIONS: String(MAX_CONNECTIONS), MAX_IN_FLIGHT: String(MAX_IN_FLIGHT), ACCESS_LOG: "false" },
      },
      async (s) => {
        const id = s.load.ids[0]!;
        const request = { url: s.stack.url, method: "GET", path: `/users/${id}`, clientTimeoutMs: FIRST_REQUEST_TIMEOUT_MS };
        s.notes.push(`gateway: MAX_IN_FLIGHT ${MAX_IN_FLIGHT}, MAX_CONNECTIONS ${MAX_CONNECTIONS}, REQUEST_TIMEOUT_MS ${REQUEST_TIMEOUT_MS}`);

        const { report: baseline } = await run(s, "baseline", { ...request, connections: BASELINE_CONNECTIONS, durationMs: BASELINE_MS, rampMs: 0, honorRetryAfter: true });
        const baseP99 = percentile(baseline.records.filter(is2xx).map(latency), 0.99);
        const notOkBase = baseline.records.filter((r) => !is2xx(r));
        s.check(
          notOkBase.length === 0,
          () => `${notOkBase.length} of ${baseline.records.length} baseline request(s) at ${BASELINE_CONNECTIONS} connections were not 2xx (${outcomes(notOkBase)}): the reference is not clean`,
        );
        for (const honor of [true, false]) {
          await s.sleep(1_000);
          const what = honor ? "flood (clients wait as Retry-After says)" : "flood (clients ignore Retry-After)";
          const { report: flood, overflows } = await run(s, what, { ...request, connections: CONNECTIONS, durationMs: FLOOD_MS, rampMs: RAMP_MS, honorRetryAfter: honor });
          judge(s, what, flood, overflows, baseP99, honor);
        }

        // The gateway and every instance came through.
        const exited = s.stack.procs.filter((p) => p.exit !== undefined);
        s.check(exited.length === 0, () => `process(es) exited: ${exited.map((p) => p.name).join(", ")}`);
        const after = await fetch(`${s.stack.url}/users/${id}`).then((r) => r.status, () => 0);
        s.check(after === 200, `after the flood GET /users/{id} answered ${after}`);
        if (s.violations.length > 0) s.witnesses.add(s.stack.gateway);
      },
    );
  });
});

/**
 * The bounds of one flood. Every flood: a mix of 2xx and 503 OVERLOADED and nothing else, Retry-After
 * on every 503, no request past the timeout. With clients that follow Retry-After, the latency bounds
 * too: a client that ignores it keeps 2,000 requests outstanding, so every response, a 503 included,
 * waits about 2,000 / (responses per second) for its turn on the event loop (Little's law), which no
 * admission limit can shorten.
 */
function judge(s: Scenario, what: string, flood: FloodReport, overflows: number, baseP99: number, latencyBounds: boolean): void {
  const records = flood.records;
  const accepted = records.filter(is2xx);
  const shed = records.filter(isShed);
  const other = records.filter((r) => !is2xx(r) && !isShed(r));
  const acceptedP99 = percentile(accepted.map(latency), 0.99);
  const shedP99 = percentile(shed.map(latency), 0.99);
  const longest = Math.max(0, ...records.map(latency));
  const steady = records.filter((r) => r.start >= flood.startedAt + STEADY_FROM_MS);
  const connects = records.filter((r) => r.connectMs !== undefined).map((r) => r.connectMs!);
  const firsts = records.filter((r) => r.newConnection);
  s.notes.push(
    `${what}: accepted ${accepted.length} (p50 ${ms(percentile(accepted.map(latency), 0.5))}, p99 ${ms(acceptedP99)}: ${(acceptedP99 / baseP99).toFixed(2)}x the baseline's ${ms(baseP99)}); ` +
      `shed ${shed.length} (p50 ${ms(percentile(shed.map(latency), 0.5))}, p99 ${ms(shedP99)}); other ${other.length}; longest ${ms(longest)}`,
    `${what}, steady state (from +${STEADY_FROM_MS / 1000} s): accepted p99 ${ms(percentile(steady.filter(is2xx).map(latency), 0.99))}, ` +
      `shed p99 ${ms(percentile(steady.filter(isShed).map(latency), 0.99))}, ${outcomes(steady)}`,
    `${what}, connections: ${connects.length} connects, p50 ${ms(percentile(connects, 0.5))}, p99 ${ms(percentile(connects, 0.99))}, ` +
      `over 900 ms (a handshake the accept queue dropped, sent again by the kernel): ${connects.filter((c) => c > 900).length}; ` +
      `the first request on a connection, from its connect: p99 ${ms(percentile(firsts.map(serverLatency), 0.99))}`,
    ...timeline(records, flood.startedAt),
  );

  // A mix: some accepted, some shed.
  s.check(accepted.length > 0, `${what}: no request was accepted`);
  s.check(shed.length > 0, () => `${what}: no request was shed with 503 OVERLOADED (${outcomes(records)})`);
  // Nothing else: no connection refused or reset (the cap is above the flood), no 504, no other 5xx.
  s.check(other.length === 0, () => `${what}: ${other.length} request(s) were neither 2xx nor 503 OVERLOADED: ${outcomes(other)}`);
  // Every 503 says when to come back.
  const noRetryAfter = records.filter((r) => r.status === 503 && !validRetryAfter(r.retryAfter));
  s.check(noRetryAfter.length === 0, () => `${what}: ${noRetryAfter.length} 503(s) without a valid Retry-After (e.g. "${noRetryAfter[0]?.retryAfter ?? "absent"}")`);
  // No request waits past the timeout once the gateway holds its connection. A connection's first
  // request is the exception, and must still be answered within FIRST_REQUEST_TIMEOUT_MS (a HANG is
  // "other" above): during the ramp a thousand connections a second arrive while the ones already
  // open are busy, so the event loops (the gateway's and the flood clients') get full batches of
  // 1,024 events from epoll, and libuv polls again, up to 48 times, before it registers a newly
  // accepted socket; and when the kernel dropped handshakes from a full accept queue
  // (ListenOverflows), the client believes it is connected while the kernel sends SYN-ACK again
  // after 1, 3, 7 s. No gateway setting shortens either; the timeline's "first on a connection"
  // shows them, and the summary counts them.
  const limit = REQUEST_TIMEOUT_MS + MARGIN_MS;
  const slow = records.filter((r) => latency(r) > limit);
  const waitedToBeSeen = slow.filter((r) => r.newConnection);
  const late = slow.filter((r) => !r.newConnection);
  s.check(
    late.length === 0,
    () =>
      `${what}: ${late.length} request(s) on an open connection took longer than REQUEST_TIMEOUT_MS + margin (${limit} ms): ${outcomes(late)}, ` +
      `the longest ${ms(Math.max(...late.map(latency)))}; accept queue overflows ${overflows}, somaxconn ${somaxconn ?? "unknown"}`,
  );
  if (waitedToBeSeen.length > 0) {
    s.notes.push(
      `${what}: ${waitedToBeSeen.length} first request(s) on a connection took over ${limit} ms (the longest ${ms(Math.max(...waitedToBeSeen.map(latency)))}), ` +
        `answered all the same; accept queue overflows ${overflows} (somaxconn ${somaxconn ?? "unknown"})`,
    );
  }
  if (!latencyBounds) return;
  // Latency is judged once the 2,000 connections are open: during the ramp, the connects and first
  // requests of a thousand new connections a second (the flood client's as much as the gateway's)
  // are what is measured, and the summary's timeline shows them apart.
  const steadyShedP99 = percentile(steady.filter(isShed).map(latency), 0.99);
  const steadyAcceptedP99 = percentile(steady.filter(is2xx).map(latency), 0.99);
  // Shed at once, not after a wait.
  s.check(Number.isNaN(steadyShedP99) || steadyShedP99 <= SHED_P99_MS, `${what}: the 503 OVERLOADED p99 (steady state) is ${ms(steadyShedP99)}; the bound is ${SHED_P99_MS} ms`);
  // The accepted ones kept their latency.
  s.check(
    Number.isNaN(steadyAcceptedP99) || steadyAcceptedP99 <= P99_FACTOR * baseP99,
    `${what}: the accepted requests' p99 (steady state) is ${ms(steadyAcceptedP99)}, over ${P99_FACTOR}x the ${BASELINE_CONNECTIONS}-connection p99 (${ms(baseP99)} -> bound ${ms(P99_FACTOR * baseP99)})`,
  );
}

/** One flood, with the CPU each side used and the accept queue's overflows meanwhile. */
async function run(s: Scenario, what: string, options: Parameters<typeof runFlood>[0]): Promise<{ report: FloodReport; overflows: number }> {
  const cpu = async (): Promise<number[]> => [
    await cpuMs(s.stack.gateway.pid),
    (await Promise.all(s.stack.instances.map((i) => cpuMs(i.proc.pid)))).reduce((a, b) => a + b, 0),
    await processCpuMs(s.stack.ns.pid),
  ];
  const cpuBefore = await cpu();
  const overflowsBefore = await listenOverflows();
  s.mark(`${what}: ${options.connections} connections, GET /users/{id}, ${options.durationMs / 1000} s`);
  const report = await runFlood(options);
  const cpuAfter = await cpu();
  const overflowsAfter = await listenOverflows();
  const overflows = overflowsAfter === undefined || overflowsBefore === undefined ? Number.NaN : overflowsAfter - overflowsBefore;
  s.mark(`${what} done`);
  const seconds = (report.stoppedAt - report.startedAt) / 1000;
  const cores = (i: number): string => ((cpuAfter[i]! - cpuBefore[i]!) / 1000 / seconds).toFixed(2);
  const ok = report.records.filter(is2xx).map(latency);
  s.notes.push(
    `${what}: ${report.records.length} requests (${(report.records.length / seconds).toFixed(0)}/s; ${outcomes(report.records)}); ` +
      `${report.connectionsOpened} connections opened, accept queue overflows ${overflows}; ` +
      `2xx p50 ${ms(percentile(ok, 0.5))}, p99 ${ms(percentile(ok, 0.99))}; ` +
      `CPU in cores: gateway ${cores(0)}, services ${cores(1)}, nats-server ${cores(2)}, flood clients ${(report.cpuMs / 1000 / seconds).toFixed(2)}`,
  );
  return { report, overflows };
}

/** Per second of the flood: how many were accepted and shed, and their p99, by when they were sent. */
function timeline(records: readonly FloodRecord[], startedAt: number): string[] {
  const lines: string[] = [];
  for (let second = 0; ; second++) {
    const mine = records.filter((r) => r.start >= startedAt + second * 1000 && r.start < startedAt + (second + 1) * 1000);
    if (mine.length === 0) break;
    const ok = mine.filter(is2xx).map(latency);
    const shed = mine.filter(isShed).map(latency);
    const fresh = mine.filter((r) => r.newConnection).map(serverLatency);
    lines.push(
      `  flood +${second}s: 2xx ${ok.length} p99 ${ms(percentile(ok, 0.99))}; shed ${shed.length} p99 ${ms(percentile(shed, 0.99))}; ` +
        `first on a connection ${fresh.length}, p99 from its connect ${ms(percentile(fresh, 0.99))}; other ${mine.length - ok.length - shed.length}`,
    );
  }
  return lines;
}

/** RFC 9110: delay-seconds or an HTTP-date. */
function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  return /^\d+$/.test(value.trim()) || !Number.isNaN(Date.parse(value));
}
