/**
 * One fault scenario: a fresh stack, bounded load through it, a timeline of what the scenario did,
 * a printed summary, and its bounds checked all at once, so one failure report carries every broken
 * bound with the requests and process output behind it.
 */
import { AssertionError } from "node:assert";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { describeExit, type ProcessExit } from "@switchyard/testing";
import type { Proc } from "./processes.js";
import { duration, HANG, Load, now, outcome, type Mix, type RequestRecord } from "./load.js";
import { Stack, type Gateway, type Language } from "./stack.js";

/** The gateway's REQUEST_TIMEOUT_MS in every scenario. */
export const REQUEST_TIMEOUT_MS = 2_000;
/** Slack over the request timeout for a request to come back on a busy two-core machine. */
export const MARGIN_MS = 1_500;
/** Client-side limit: a request without an answer by then is a hang, far beyond any timeout the stack has. */
export const CLIENT_TIMEOUT_MS = 10_000;
export const WORKERS = 16;
/** After a failure, how long to leave the services up so that calls they are stuck on time out and get logged. */
const EVIDENCE_WAIT_MS = 5_500;

export interface ScenarioOptions {
  name: string;
  typescript: number;
  ruby: number;
  workers?: number;
  /** The kinds of request the load sends (default: creates, reads and pings). */
  mix?: Mix;
  /** Users created before the load starts, for a mix of reads. */
  seed?: number;
  /** Gateways on the same NATS (default 1); the load goes through the one numbered `loadVia` (default 1), or through each (`"all"`). */
  gateways?: number;
  loadVia?: number | "all";
  /** A NATS cluster of this many nodes instead of one server (Stack's natsNodes). */
  natsNodes?: number;
  /** Settings for every gateway on top of the suite's own. */
  gatewayEnv?: Record<string, string>;
  /** Run the gateway bundled, without the tsx loader, as production does (for a memory bound). */
  gatewayBundle?: boolean;
}

interface Mark {
  readonly at: number;
  readonly what: string;
}

export class Scenario {
  readonly marks: Mark[] = [];
  readonly violations: string[] = [];
  /** Lines printed under the summary: what the scenario measured beyond the counts. */
  readonly notes: string[] = [];
  /** Processes whose output goes with a failure report. */
  readonly witnesses = new Set<Proc>();

  constructor(
    readonly name: string,
    readonly stack: Stack,
    readonly load: Load,
  ) {}

  get workers(): number {
    return this.load.options.workers;
  }

  /** Records a moment of the timeline and returns it. */
  mark(what: string, at = now()): number {
    this.marks.push({ at, what });
    return at;
  }

  /** Seconds since the load started, for timelines and request lists. */
  rel(at: number): string {
    const s = (at - this.load.startedAt) / 1000;
    return `${s >= 0 ? "+" : ""}${s.toFixed(3)}s`;
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }

  async stopLoad(): Promise<void> {
    if (!this.load.stopped) this.mark("load stopping");
    await this.load.stop();
  }

  /** Adds a violation unless `ok`. */
  check(ok: boolean, message: string | (() => string)): void {
    if (!ok) this.violations.push(typeof message === "string" ? message : message());
  }

  /** Waits for a signalled process to exit, as a violation (not a crash) when it does not. */
  async waitExit(proc: Proc, timeoutMs: number): Promise<ProcessExit | undefined> {
    try {
      return await proc.waitExit(timeoutMs);
    } catch (err) {
      this.witnesses.add(proc);
      this.violations.push((err as Error).message);
      return undefined;
    }
  }

  /** Expects a clean exit (code 0, no signal) within `limitMs` of `sentAt`. */
  checkCleanExit(proc: Proc, exit: ProcessExit | undefined, sentAt: number, limitMs: number): void {
    if (exit === undefined) return; // already a violation
    const tookMs = exit.at - sentAt;
    this.mark(`${proc.name} ${describeExit(exit)} ${Math.round(tookMs)} ms after SIGTERM`, exit.at);
    if (exit.code !== 0 || exit.signal !== null) {
      this.witnesses.add(proc);
      this.violations.push(`${proc.name} ${describeExit(exit)} after SIGTERM; expected exit code 0`);
    }
    if (tookMs > limitMs) {
      this.witnesses.add(proc);
      this.violations.push(`${proc.name} took ${Math.round(tookMs)} ms to exit after SIGTERM; the bound is ${limitMs} ms`);
    }
  }

  /** No request went unanswered until the client gave up. */
  checkNoHang(): void {
    const hung = this.load.records.filter((r) => r.error === HANG);
    this.check(hung.length === 0, () => `${hung.length} request(s) hung (no answer in ${CLIENT_TIMEOUT_MS} ms):\n${this.list(hung)}`);
  }

  /** Every request came back within the gateway's timeout plus the margin. */
  checkBoundedLatency(): void {
    const limit = REQUEST_TIMEOUT_MS + MARGIN_MS;
    const slow = this.load.records.filter((r) => duration(r) > limit);
    this.check(
      slow.length === 0,
      () => `${slow.length} request(s) took longer than REQUEST_TIMEOUT_MS + margin (${limit} ms):\n${this.list(slow)}`,
    );
  }

  /** A few requests, one per line, for a report. */
  list(records: readonly RequestRecord[], limit = 25): string {
    const shown = records.slice(0, limit).map(
      (r) =>
        `  #${r.seq} ${r.method} ${r.path} started ${this.rel(r.start)} took ${Math.round(duration(r))} ms -> ${outcome(r)}` +
        ` (x-request-id ${r.requestId})`,
    );
    if (records.length > limit) shown.push(`  … and ${records.length - limit} more`);
    return shown.join("\n");
  }

  /** Count per outcome, failures only: "504 SERVICE_TIMEOUT 3, ECONNREFUSED 12". */
  static failuresByKind(records: readonly RequestRecord[]): string {
    const counts = new Map<string, number>();
    for (const r of records) {
      if (r.ok) continue;
      const kind = outcome(r);
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    return [...counts].map(([kind, n]) => `${kind} ${n}`).join(", ") || "none";
  }

  summary(): string {
    const records = this.load.records;
    const succeeded = records.filter((r) => r.ok).length;
    const longest = records.reduce((m, r) => Math.max(m, duration(r)), 0);
    const seconds = ((this.load.stoppedAt - this.load.startedAt) / 1000).toFixed(1);
    const lines = [
      `[fault ${this.name}] sent ${records.length}, succeeded ${succeeded}, failed ${records.length - succeeded}` +
        ` (${Scenario.failuresByKind(records)}); ${this.workers} workers for ${seconds} s, longest request ${Math.round(longest)} ms` +
        ` -> ${this.violations.length === 0 ? "PASS" : `FAIL (${this.violations.length} bound(s) broken)`}`,
      ...[...this.marks].sort((a, b) => a.at - b.at).map((m) => `  ${this.rel(m.at)} ${m.what}`),
      ...this.notes.map((n) => `  ${n}`),
    ];
    return lines.join("\n");
  }

  /** Prints the summary, then fails with every broken bound, the witnesses' output and where the logs are. */
  finish(): void {
    console.log(this.summary());
    if (this.violations.length === 0) return;
    const tails = [...this.witnesses].map((p) => p.tail(60));
    throw new AssertionError({
      message: [
        `fault scenario "${this.name}" broke ${this.violations.length} bound(s):`,
        ...this.violations.map((v, i) => `${i + 1}. ${v}`),
        ...tails,
        `full process logs (kept): ${this.stack.logDir}`,
      ].join("\n"),
    });
  }
}

/**
 * Starts a fresh stack, runs the load, hands both to `body` (which performs the fault and checks its
 * bounds), prints the summary and asserts. Every process is torn down whatever happens; the logs are
 * kept only when the scenario fails.
 */
export async function runScenario(options: ScenarioOptions, body: (s: Scenario) => Promise<void>): Promise<void> {
  const stack = await Stack.start({
    scenario: options.name,
    typescript: options.typescript,
    ruby: options.ruby,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...(options.gateways === undefined ? {} : { gateways: options.gateways }),
    ...(options.gatewayEnv === undefined ? {} : { gatewayEnv: options.gatewayEnv }),
    ...(options.gatewayBundle === undefined ? {} : { gatewayBundle: options.gatewayBundle }),
    ...(options.natsNodes === undefined ? {} : { natsNodes: options.natsNodes }),
  });
  let passed = false;
  try {
    const vias = options.loadVia === "all" ? [...stack.gateways] : [stack.gateways[(options.loadVia ?? 1) - 1]];
    if (vias.some((g) => g === undefined)) throw new Error(`loadVia ${options.loadVia}: the stack has ${stack.gateways.length} gateway(s)`);
    const via = vias as Gateway[];
    const load = new Load({
      baseUrl: via.map((g) => g.url),
      workers: options.workers ?? WORKERS,
      clientTimeoutMs: CLIENT_TIMEOUT_MS,
      maxRequests: 150_000,
      maxDurationMs: 90_000,
      runId: `${options.name}-${randomBytes(3).toString("hex")}`,
      ...(options.mix === undefined ? {} : { mix: options.mix }),
    });
    const scenario = new Scenario(options.name, stack, load);
    if (options.seed !== undefined) await load.seed(options.seed);
    load.start();
    scenario.mark(
      `load started: ${load.options.workers} workers on ${via.map((g) => `${g.name} ${g.url}`).join(" and ")}; instances ${stack.instances.map((i) => `${i.name}=${i.id}`).join(", ")}`,
      load.startedAt,
    );
    try {
      await body(scenario);
    } catch (err) {
      scenario.violations.push(`the scenario itself failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      await scenario.stopLoad();
    }
    if (scenario.violations.length > 0) {
      // A service stuck on a call of its own logs it only when that call times out (nats-pure: 5 s):
      // wait for those lines, then name the failed requests the services' logs mention.
      await sleep(EVIDENCE_WAIT_MS);
      scenario.notes.push(...(await stack.stats()));
      scenario.notes.push(...mentions(stack, load.records.filter((r) => !r.ok)));
    }
    for (const proc of stack.procs) {
      if (stack.isGateway(proc)) continue;
      const errors = proc.lines().filter((l) => /\bERROR\b|\berror\b|failed/.test(l.text));
      if (errors.length > 0) {
        scenario.notes.push(`${proc.name} logged ${errors.length} error line(s), the first at ${scenario.rel(errors[0]!.at)}: ${errors[0]!.text.slice(0, 200)}`);
      }
    }
    scenario.finish();
    passed = true;
  } finally {
    if (!passed) console.log(`[fault ${options.name}] process logs kept in ${stack.logDir}`);
    await stack.close(!passed);
  }
}

/** Failed requests whose x-request-id a service logged, with the line: which instance failed them, and how. */
function mentions(stack: Stack, failed: readonly RequestRecord[], limit = 10): string[] {
  const notes: string[] = [];
  const services = stack.procs.filter((p) => !stack.isGateway(p));
  for (const r of failed) {
    for (const proc of services) {
      const line = proc.lines().find((l) => l.text.includes(r.requestId));
      if (line !== undefined) notes.push(`failed request #${r.seq} (${r.requestId}) is in ${proc.name}'s log: ${line.text.slice(0, 220)}`);
    }
    if (notes.length >= limit) break;
  }
  return notes;
}

export type { Language };
