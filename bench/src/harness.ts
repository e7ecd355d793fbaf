/**
 * What every scenario needs: the processes it starts (all stopped at teardown, last first, however
 * the run ends) and a comparison of two of them, loaded alternately in rounds.
 */
import { connect } from "@nats-io/transport-node";
import { freePort } from "@switchyard/testing";
import { runLoad } from "./load.js";
import { cpuMs, httpOk, RssSampler, spawnBundle, waitUntil, type Child } from "./processes.js";
import { summarize, type MeasuredRun, type NamedSummary } from "./report.js";
import type { Scenario } from "./requests.js";

/** Node flags for the bench's own helper processes, run from source: their cost is not what is measured. */
export const TSX = ["--import", "tsx"] as const;

/** How long each side is loaded, after its warm-up. */
export interface Timing {
  /** Seconds per round. */
  durationS: number;
  rounds: number;
}

export interface Settings extends Timing {
  warmupS: number;
  connections: number;
  /**
   * A curve's points: there are many, and the curve's shape matters more than each, so shorter
   * rounds; an odd count, so that the median leaves out a round another process disturbed.
   */
  curve: Timing;
}

/** One side of a comparison: a process serving HTTP, and what to do before each of its loads. */
export interface Side {
  name: string;
  url: string;
  child: Child;
  before?: () => Promise<void>;
}

/** The subject against the baseline, on one scenario (or one each, given `baselineScenario`). */
export interface Comparison {
  name: string;
  scenario: Scenario;
  /** What the baseline is loaded with, warm-up and rounds; default `scenario`, as the subject. */
  baselineScenario?: Scenario;
  baseline: Side;
  subject: Side;
  /** Default: the settings' connections. */
  connections?: number;
  /** Default: the settings' durationS and rounds. */
  timing?: Timing;
}

/** Both sides' medians over the rounds, with each round kept. */
export interface Pair {
  baseline: NamedSummary;
  subject: NamedSummary;
}

export class Harness {
  /** Loads with failed or non-2xx requests: the numbers are not valid, and the run exits 1. */
  readonly failures: string[] = [];
  private readonly steps: Array<() => Promise<void>> = [];
  private tornDown: Promise<void> | undefined;

  /** `heapFlags`: V8 flags for every gateway and reference, the production ones by default. */
  constructor(
    readonly settings: Settings,
    readonly heapFlags: readonly string[],
  ) {}

  /** A teardown step. */
  defer(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  /** A bundle from dist/, stopped at teardown if it is still running. */
  spawn(name: string, bundle: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Child {
    const child = spawnBundle(name, bundle, env, nodeFlags);
    this.defer(() => child.stop());
    return child;
  }

  /** A process serving HTTP on a free port, with the heap flags, resolved once `GET /` answers 200. */
  async startHttp(name: string, bundle: string, env: Record<string, string>): Promise<Side> {
    const port = await freePort();
    const child = this.spawn(name, bundle, { ...env, PORT: `${port}`, HOST: "127.0.0.1" }, this.heapFlags);
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(child, () => httpOk(`${url}/`));
    return { name, url, child };
  }

  /** A service process, resolved once `subject` answers over NATS. */
  async startService(name: string, bundle: string, env: Record<string, string>, subject: string, nodeFlags: readonly string[] = []): Promise<Child> {
    const child = this.spawn(name, bundle, env, nodeFlags);
    await waitUntil(child, () => answers(env["NATS_URL"]!, subject));
    return child;
  }

  /** Warm-up, then rounds alternating which side goes first: the store fills and the second would always meet it fuller. */
  async measure(c: Comparison): Promise<Pair> {
    const connections = c.connections ?? this.settings.connections;
    const { durationS, rounds } = c.timing ?? this.settings;
    console.error(`\n${c.name}: ${c.subject.name} against ${c.baseline.name}, ${connections} connections`);
    const sides = [c.baseline, c.subject];
    const sampler = new RssSampler(sides.map((s) => s.child.pid));
    const runs = new Map<Side, MeasuredRun[]>(sides.map((s) => [s, []]));
    const load = async (side: Side, seconds: number, label: string): Promise<MeasuredRun> => {
      await side.before?.();
      const scenario = side === c.baseline ? (c.baselineScenario ?? c.scenario) : c.scenario;
      const cpuBefore = cpuMs(side.child.pid);
      const result = await runLoad(side.url, scenario, connections, seconds);
      if (side.child.exit !== undefined) throw new Error(`${side.child.name} died during the load:\n${side.child.output()}`);
      const measured = { ...result, cpuUsPerRequest: ((cpuMs(side.child.pid) - cpuBefore) * 1000) / Math.max(1, result.total) };
      console.error(`  ${label.padEnd(9)} ${side.name.padEnd(12)} ${describe(measured)}`);
      if (measured.errors > 0 || measured.non2xx > 0) this.failures.push(`${c.name} ${side.name} ${label}: ${describe(measured)}`);
      return measured;
    };
    try {
      for (const side of sides) await load(side, this.settings.warmupS, "warm-up");
      for (let round = 1; round <= rounds; round++) {
        for (const side of round % 2 === 1 ? sides : [...sides].reverse()) runs.get(side)!.push(await load(side, durationS, `round ${round}`));
      }
      return {
        baseline: { name: c.baseline.name, summary: summarize(runs.get(c.baseline)!, sampler.takePeak(c.baseline.child.pid)) },
        subject: { name: c.subject.name, summary: summarize(runs.get(c.subject)!, sampler.takePeak(c.subject.child.pid)) },
      };
    } finally {
      sampler.stop();
    }
  }

  teardown(): Promise<void> {
    this.tornDown ??= (async () => {
      for (const step of this.steps.reverse()) await step().catch((err: unknown) => console.error("teardown:", err));
    })();
    return this.tornDown;
  }
}

async function answers(natsUrl: string, subject: string): Promise<boolean> {
  const nc = await connect({ servers: natsUrl });
  try {
    await nc.request(subject, new Uint8Array(), { timeout: 1000 });
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
