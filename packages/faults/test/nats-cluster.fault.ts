import { describe, it } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { httpCall, MARGIN_MS, now, REQUEST_TIMEOUT_MS, runScenario, Scenario, type RequestRecord } from "../src/index.js";

/** The users bucket's stream: its leader is the node whose loss costs writes the most. */
const USERS_STREAM = "KV_users";
/** How long the killed node stays down. */
const NODE_DOWN_MS = 3_000;
/** Both gateways serve cleanly again this soon after a NATS disruption began (a lost leader is noticed after Raft's election timeout, 4 s or more). */
const NATS_RECOVERY_MS = 12_000;
/** ... after a gateway's SIGTERM: it drains, then starts again from source (tsx), on a busy machine. */
const GATEWAY_RECOVERY_MS = 20_000;
/** Serving cleanly: this long without a failure through a gateway... */
const STREAK_MS = 2_000;
/** ...with at least this many successes through it. */
const STREAK_MIN = 10;
/** A 503 answers well before the request timeout would have. */
const FAST_MS = REQUEST_TIMEOUT_MS / 2;
/**
 * A keyed request makes two calls to the idempotency bucket one after the other (its claim, then the
 * answer stored; or the claim, then a read of the record another request holds). While the bucket's
 * leader is elected each call gives up after the gateway's 2 s (STORE_TIMEOUT_MS in
 * idempotency-bucket.ts), so its 503 can come after both: the bound, with the suite's margin.
 */
const KEYED_LIMIT_MS = 2 * 2_000 + MARGIN_MS;
/** A gateway must be gone this soon after SIGTERM (as in gateway-sigterm.fault.ts). */
const EXIT_LIMIT_MS = 5_000;
/** How a request may end when its gateway is the one restarting: refused at connect or on its idle socket. */
const REFUSALS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE"]);
/** Between two POST /users with an Idempotency-Key (the gateway's own bucket, switchyard-idempotency). */
const KEYED_EVERY_MS = 100;
/** How long the idempotency bucket of a new cluster may take to answer, before the scenario starts. */
const KEYED_READY_MS = 20_000;
/** Concurrent reads when checking the acknowledged writes afterwards. */
const READ_BACK_CONCURRENCY = 16;
/** Two of the gateway's discovery polls (DISCOVERY_INTERVAL_MS, 5 s, plus up to 20 % jitter). */
const DISCOVERY_WAIT_MS = 12_000;

/** One disruption: from when it began to when the next began (or the load stopped). */
interface Phase {
  readonly what: string;
  readonly from: number;
  /** Both gateways must serve cleanly again within this of `from`. */
  readonly limitMs: number;
  /** When the fault itself was over (the node back and routed, the step-down answered, the gateway answering again). */
  over: number;
  to: number;
  /** The URL of the gateway restarted in this phase, whose requests may be refused meanwhile. */
  readonly gateway?: string;
  /** When every gateway's last failure of the phase ended and a clean streak followed, or undefined when none did in time. */
  backAt?: number;
}

/** One POST /users with an Idempotency-Key: what the gateway's own KV use answered. */
interface Keyed {
  readonly via: string;
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
  readonly retryAfter: boolean;
  readonly id?: string;
}

describe("fault: a 3-node NATS cluster under load through two gateways", () => {
  it(
    "survives a node's kill -9, JetStream meta and stream leader step-downs and each gateway's restart: no acknowledged write lost, failures only 503/504 and fast",
    { timeout: 240_000 },
    async () => {
      await runScenario(
        { name: "nats-cluster", typescript: 2, ruby: 1, natsNodes: 3, gateways: 2, loadVia: "all", seed: 5 },
        async (s) => {
          const cluster = s.stack.cluster;
          const phases: Phase[] = [];
          const begin = (what: string, limitMs: number, gateway?: string): Phase => {
            const phase: Phase = { what, from: s.mark(what), limitMs, over: 0, to: Infinity, ...(gateway === undefined ? {} : { gateway }) };
            const previous = phases.at(-1);
            if (previous !== undefined) previous.to = phase.from;
            phases.push(phase);
            return phase;
          };
          s.notes.push(`NATS clients per node at the start: ${await clientsPerNode(cluster.nodes)}`);
          await checkNodesShown(s);
          await keyedReady(s);
          const keyed: Keyed[] = [];
          const keyedDone = keyedWrites(s, keyed);
          await s.sleep(3_000);

          // kill -9 of the users stream's leader, then back on the same ports with its store.
          const jsm = await jetstreamManager(s.stack.nc, { timeout: 5_000 });
          const leader = (await jsm.streams.info(USERS_STREAM)).cluster?.leader;
          const victim = cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0]!;
          const kill = begin(`kill -9 ${victim.name} (leader of ${USERS_STREAM}: ${leader ?? "unknown"})`, NATS_RECOVERY_MS);
          await s.stack.nodeDown(victim, "SIGKILL");
          await s.sleep(NODE_DOWN_MS);
          await s.stack.nodeUp(victim);
          kill.over = s.mark(`${victim.name} restarted and routed again`);
          await recovered(s, kill);

          const meta = begin("JetStream meta-leader step-down", NATS_RECOVERY_MS);
          const sys = await connect({ servers: cluster.url, user: cluster.system!.user, pass: cluster.system!.pass, name: "faults-system" });
          try {
            meta.over = s.mark(`meta step-down answered: ${(await sys.request("$JS.API.META.LEADER.STEPDOWN", "", { timeout: 5_000 })).string()}`);
          } finally {
            await sys.close();
          }
          await recovered(s, meta);

          const stream = begin(`${USERS_STREAM} stream-leader step-down (leader ${(await jsm.streams.info(USERS_STREAM)).cluster?.leader ?? "unknown"})`, NATS_RECOVERY_MS);
          const answer = await s.stack.nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${USERS_STREAM}`, "", { timeout: 5_000 });
          stream.over = s.mark(`stream step-down answered: ${answer.string()}`);
          await recovered(s, stream);
          s.mark(`${USERS_STREAM} leader now ${(await jsm.streams.info(USERS_STREAM)).cluster?.leader ?? "unknown"}`);

          // Each gateway in turn: SIGTERM (it drains), then the same port and NATS seed again.
          for (const number of [1, 2]) {
            const old = s.stack.gateways.find((g) => g.number === number)!;
            const phase = begin(`SIGTERM ${old.name}, then start it again`, GATEWAY_RECOVERY_MS, old.url);
            const signalAt = old.proc.signal("SIGTERM");
            s.checkCleanExit(old.proc, await s.waitExit(old.proc, EXIT_LIMIT_MS), signalAt, EXIT_LIMIT_MS);
            const again = await s.stack.restartGateway(old);
            phase.over = s.mark(`${again.name} answers GET / again`);
            await recovered(s, phase);
          }
          await s.stopLoad();
          phases.at(-1)!.to = Infinity;
          await keyedDone;

          judge(s, phases);
          judgeKeyed(s, phases, keyed);
          await checkReadBack(s, [...s.load.ids, ...keyed.flatMap((k) => (k.id === undefined ? [] : [k.id]))]);

          // Everything came back by itself: no service restarted, every instance registered and serving.
          const exited = s.stack.procs.filter((p) => p.exit !== undefined && !s.stack.isGateway(p));
          s.check(exited.length === 0, () => `service process(es) exited: ${exited.map((p) => `${p.name} (${JSON.stringify(p.exit)})`).join(", ")}`);
          const gatewaysDown = s.stack.gateways.filter((g) => g.proc.exit !== undefined);
          s.check(gatewaysDown.length === 0, () => `gateway(s) not running at the end: ${gatewaysDown.map((g) => g.name).join(", ")}`);
          const registered = new Set((await s.stack.ping()).map((p) => p.id));
          const missing = s.stack.instances.filter((i) => !registered.has(i.id));
          s.check(missing.length === 0, () => `instance(s) not registered at the end: ${missing.map((i) => i.name).join(", ")}`);
          s.notes.push(`NATS clients per node at the end: ${await clientsPerNode(cluster.nodes)}`);
          if (s.violations.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);
        },
      );
    },
  );
});

/**
 * Waits until every gateway has served a clean streak since its last failure of the phase, or the
 * phase's limit plus a streak have passed; records when the last of those streaks began. Called
 * once the fault is over: a node's loss may heal (a new leader) before the node is back.
 */
async function recovered(s: Scenario, phase: Phase): Promise<void> {
  const vias = [...new Set(s.load.records.map((r) => r.via))];
  for (;;) {
    const backs = vias.map((via) => cleanSince(s.load.records.filter((r) => r.via === via && r.end >= phase.from), phase.from));
    if (backs.every((b) => b !== undefined)) {
      phase.backAt = Math.max(...(backs as number[]));
      return;
    }
    if (now() > phase.from + phase.limitMs + STREAK_MS) return;
    await s.sleep(100);
  }
}

/** When a clean streak began (at the last failure, or `from` with none), if one has run long enough. */
function cleanSince(records: readonly RequestRecord[], from: number): number | undefined {
  const finished = records.filter((r) => r.end > 0);
  const lastFailure = Math.max(from, ...finished.filter((r) => !r.ok).map((r) => r.end));
  const streak = finished.filter((r) => r.ok && r.start >= lastFailure);
  return now() - lastFailure >= STREAK_MS && streak.length >= STREAK_MIN ? lastFailure : undefined;
}

/** The phase a request belongs to: the one it ended in (a request in flight when a fault began is the fault's). */
function phaseOf(phases: readonly Phase[], end: number): Phase | undefined {
  return phases.find((p) => end >= p.from && end < p.to);
}

/** Whether a failure is one the phase allows: refusals by the gateway restarting, else 503 or 504. */
function allowed(phase: Phase | undefined, via: string, outcome: { status?: number; error?: string }): boolean {
  if (phase?.gateway === via && (REFUSALS.has(outcome.error ?? "") || outcome.status === 503)) return true;
  return phase !== undefined && (outcome.status === 503 || outcome.status === 504);
}

/** The bounds of the load, per phase; the figures go into the summary. */
function judge(s: Scenario, phases: readonly Phase[]): void {
  s.checkNoHang();
  s.checkBoundedLatency();
  const records = s.load.records;
  for (const phase of phases) {
    const inPhase = records.filter((r) => phaseOf(phases, r.end) === phase);
    const failed = inPhase.filter((r) => !r.ok);
    const back = phase.backAt === undefined ? "not within the bound" : `${((phase.backAt - phase.from) / 1000).toFixed(1)} s`;
    s.notes.push(
      `${phase.what}: ${inPhase.length} requests, ${failed.length} failed (${Scenario.failuresByKind(failed)}); ` +
        `fault over after ${((phase.over - phase.from) / 1000).toFixed(1)} s; both gateways serving cleanly again ${back} after it began (the last failure; bound ${phase.limitMs / 1000} s)`,
    );
    s.check(
      phase.backAt !== undefined && phase.backAt <= phase.from + phase.limitMs,
      () => `${phase.what}: the gateways were not both serving cleanly within ${phase.limitMs / 1000} s`,
    );
    const slow503 = failed.filter((r) => r.status === 503 && r.end - r.start > FAST_MS);
    s.check(slow503.length === 0, () => `${phase.what}: ${slow503.length} 503(s) took over ${FAST_MS} ms:\n${s.list(slow503)}`);
  }
  const wrong = records.filter((r) => !r.ok && !allowed(phaseOf(phases, r.end), r.via, r));
  s.check(wrong.length === 0, () => `${wrong.length} request(s) failed outside a fault, or otherwise than 503/504 (or refused by the gateway restarting):\n${s.list(wrong)}`);
}

/**
 * Waits until a keyed POST /users succeeds through each gateway. On a new cluster the idempotency
 * bucket is created with 3 replicas when a gateway starts, and its stream has a leader a moment
 * later: until then a keyed request is answered 503 (with Retry-After), before any fault.
 */
async function keyedReady(s: Scenario): Promise<void> {
  for (const [g, gateway] of s.stack.gateways.entries()) {
    const deadline = now() + KEYED_READY_MS;
    for (let i = 0; ; i++) {
      const result = await httpCall(`${gateway.url}/users`, {
        method: "POST",
        headers: { "idempotency-key": `${s.name}-${s.load.options.runId}-ready-${g}-${i}` },
        json: { firstName: "Fault", lastName: "Ready", email: `${s.load.options.runId}-ready-${g}-${i}@faults.example` },
        timeoutMs: REQUEST_TIMEOUT_MS * 4,
      });
      if (result.status !== undefined && result.status >= 200 && result.status < 300) break;
      if (now() > deadline) {
        s.check(false, `no keyed POST /users succeeded through ${gateway.url} within ${KEYED_READY_MS} ms of the start (last: ${result.status ?? result.error})`);
        return;
      }
      await s.sleep(200);
    }
  }
  s.mark("keyed requests answered through both gateways");
}

/**
 * POST /users with a new Idempotency-Key every KEYED_EVERY_MS, through each gateway in turn, until
 * the load stops: each claims its key in the gateway's own bucket first.
 */
async function keyedWrites(s: Scenario, out: Keyed[]): Promise<void> {
  const urls = s.stack.gateways.map((g) => g.url);
  for (let i = 0; !s.load.stopped; i++) {
    const via = urls[i % urls.length]!;
    const result = await httpCall(`${via}/users`, {
      method: "POST",
      headers: { "idempotency-key": `${s.name}-${s.load.options.runId}-${i}` },
      json: { firstName: "Fault", lastName: "Keyed", email: `${s.load.options.runId}-keyed-${i}@faults.example` },
      timeoutMs: REQUEST_TIMEOUT_MS * 4,
    });
    const ok = result.status !== undefined && result.status >= 200 && result.status < 300 && typeof result.body["id"] === "string";
    const code = typeof result.body["code"] === "string" ? ` ${result.body["code"]}` : "";
    out.push({
      via,
      start: result.start,
      end: result.end,
      outcome: ok ? "ok" : result.error ?? `${result.status}${code}`,
      retryAfter: result.headers["retry-after"] !== undefined,
      ...(ok ? { id: result.body["id"] as string } : {}),
    });
    await s.sleep(KEYED_EVERY_MS);
  }
}

/** The gateway's own KV use answers 2xx, or a retriable 503 with Retry-After (504 in flight), never a 500. */
function judgeKeyed(s: Scenario, phases: readonly Phase[], keyed: readonly Keyed[]): void {
  const failed = keyed.filter((k) => k.outcome !== "ok");
  const counts = new Map<string, number>();
  for (const k of failed) counts.set(k.outcome, (counts.get(k.outcome) ?? 0) + 1);
  s.notes.push(
    `POST /users with an Idempotency-Key: ${keyed.length} sent, ${failed.length} failed (${[...counts].map(([o, n]) => `${o} ${n}`).join(", ") || "none"})`,
  );
  const status = (k: Keyed): { status?: number; error?: string } => (/^\d+/.test(k.outcome) ? { status: Number(k.outcome.slice(0, 3)) } : { error: k.outcome });
  const wrong = failed.filter((k) => !allowed(phaseOf(phases, k.end), k.via, status(k)));
  s.check(wrong.length === 0, () => `${wrong.length} keyed POST /users failed otherwise than 503/504:\n  ${wrong.slice(0, 20).map(describeKeyed(s)).join("\n  ")}`);
  const bare = failed.filter((k) => k.outcome.startsWith("503") && !k.retryAfter);
  s.check(bare.length === 0, () => `${bare.length} keyed 503(s) without Retry-After:\n  ${bare.slice(0, 20).map(describeKeyed(s)).join("\n  ")}`);
  const slow = keyed.filter((k) => k.end - k.start > KEYED_LIMIT_MS);
  s.check(slow.length === 0, () => `${slow.length} keyed POST /users took over ${KEYED_LIMIT_MS} ms:\n  ${slow.slice(0, 20).map(describeKeyed(s)).join("\n  ")}`);
}

function describeKeyed(s: Scenario): (k: Keyed) => string {
  return (k) => `via ${k.via} started ${s.rel(k.start)} took ${Math.round(k.end - k.start)} ms -> ${k.outcome}`;
}

/** Every user whose POST /users got a 2xx is read back through each gateway. */
async function checkReadBack(s: Scenario, ids: readonly string[]): Promise<void> {
  const startedAt = now();
  const lost: string[] = [];
  for (const gateway of s.stack.gateways) {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const result = await httpCall(`${gateway.url}/users/${id}`, { method: "GET", timeoutMs: REQUEST_TIMEOUT_MS * 2 });
        if (result.status !== 200 || result.body["id"] !== id) lost.push(`${id} through ${gateway.name}: ${result.status ?? result.error} ${result.text.slice(0, 120)}`);
      }
    };
    await Promise.all(Array.from({ length: READ_BACK_CONCURRENCY }, worker));
  }
  s.notes.push(
    `acknowledged creates: ${ids.length}, read back through ${s.stack.gateways.length} gateways in ${((now() - startedAt) / 1000).toFixed(1)} s: ${lost.length} missing`,
  );
  s.check(lost.length === 0, () => `${lost.length} acknowledged write(s) not readable afterwards:\n  ${lost.slice(0, 20).join("\n  ")}`);
}

/** From each node's monitoring endpoint (/connz): the names of its client connections. */
/**
 * What `switchyard services` shows of the cluster: every instance names the node it registered
 * through (metadata switchyard.nats_server), and that node does hold a connection of its name.
 */
async function checkNodesShown(s: Scenario): Promise<void> {
  const cluster = s.stack.cluster;
  type Shown = { id: string; deployment: string; natsServer: string };
  const shownNow = async (): Promise<Map<string, Shown>> => {
    const reply = (await fetch(`${s.stack.gateways[0]!.url}/_/services`).then((r) => r.json())) as { routes: { instances: Shown[] }[] };
    return new Map(reply.routes.flatMap((r) => r.instances).map((i) => [i.id, i]));
  };
  // The gateway's discovery polls every DISCOVERY_INTERVAL_MS (5 s): the instances may be newer.
  let instances = await shownNow();
  for (const deadline = now() + DISCOVERY_WAIT_MS; instances.size < s.stack.instances.length && now() < deadline; instances = await shownNow()) await s.sleep(250);
  const connected = new Map(
    await Promise.all(
      cluster.nodes.map(async (node): Promise<[string, string[]]> => {
        const connz = (await fetch(`http://127.0.0.1:${node.monitorPort}/connz?limit=100`).then((r) => r.json())) as { connections?: { name?: string }[] };
        return [node.name, (connz.connections ?? []).map((c) => c.name ?? "")];
      }),
    ),
  );
  const shown = [...instances.values()].map((i) => `${i.deployment} ${i.id.slice(0, 6)} on ${i.natsServer || "(none)"}`);
  s.notes.push(`instances as /_/services shows them: ${shown.join(", ")}`);
  s.check(instances.size === s.stack.instances.length, () => `/_/services shows ${instances.size} instance(s) of ${s.stack.instances.length}`);
  // A stack's instance connects under its deployment's name (users-ts, users-rb: the SDKs' defaults).
  const wrong = [...instances.values()].filter((i) => !(connected.get(i.natsServer) ?? []).includes(i.deployment));
  s.check(wrong.length === 0, () => `instance(s) naming a node that holds no connection of theirs: ${wrong.map((i) => `${i.deployment} ${i.id} on "${i.natsServer}"`).join(", ")}`);
}

async function clientsPerNode(nodes: readonly { name: string; monitorPort: number; running: boolean }[]): Promise<string> {
  const parts = await Promise.all(
    nodes.map(async (node) => {
      if (!node.running) return `${node.name}: down`;
      try {
        const res = await fetch(`http://127.0.0.1:${node.monitorPort}/connz?limit=100`, { signal: AbortSignal.timeout(2_000) });
        const connz = (await res.json()) as { connections?: { name?: string }[] };
        const names = (connz.connections ?? []).map((c) => c.name ?? "?").sort();
        return `${node.name}: ${names.join(", ") || "none"}`;
      } catch (err) {
        return `${node.name}: ${(err as Error).message}`;
      }
    }),
  );
  return parts.join("; ");
}
