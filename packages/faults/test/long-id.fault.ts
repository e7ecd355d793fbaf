import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { callRpc, connectionsTo, MARGIN_MS, now, REQUEST_TIMEOUT_MS, runScenario, type Instance, type Scenario } from "../src/index.js";

/** Longer than nats-server's control line (4,096 bytes) once a service makes it part of a KV subject. */
const LONG_ID = "a".repeat(4_100);
/** The attack's steady rate, over every route and RPC that takes an id, in turn. */
const ATTACKS_PER_SECOND = 20;
const ATTACK_MS = 10_000;
/** How often each process's NATS connections are looked at during the attack. */
const SAMPLE_MS = 250;
/** The field a 400 must name: `id`, or `user.id` for UpdateUser. */
const ID_FIELD = /^(user\.)?id$/;

type Kind = "GET /users/{id}" | "PATCH /users/{id}" | "DELETE /users/{id}" | "NATS GetUser" | "NATS UpdateUser" | "NATS DeleteUser";
const KINDS: readonly Kind[] = ["GET /users/{id}", "PATCH /users/{id}", "DELETE /users/{id}", "NATS GetUser", "NATS UpdateUser", "NATS DeleteUser"];

interface Attack {
  readonly kind: Kind;
  readonly start: number;
  end: number;
  /** HTTP status, or the NATS reply's error code ("ok" for a success). */
  outcome: string;
  code?: string;
  field?: string;
}

describe("fault: ids longer than the contract allows, at a steady rate, under load", () => {
  it("answers every one 400 / INVALID_ARGUMENT naming the id, fails no legitimate request and keeps every NATS connection", { timeout: 120_000 }, async () => {
    await runScenario({ name: "long-id", typescript: 2, ruby: 1 }, async (s) => {
      const natsPort = s.stack.ns.port;
      const watched = [...s.stack.instances.map((i) => ({ name: i.name, pid: i.proc.pid })), { name: "gateway", pid: s.stack.gateway.pid }];
      const before = new Map<string, number[]>();
      for (const w of watched) before.set(w.name, await connectionsTo(w.pid, natsPort));
      s.notes.push(`NATS connections (local ports) before: ${watched.map((w) => `${w.name} ${before.get(w.name)!.join("/") || "none"}`).join(", ")}`);
      for (const w of watched) s.check(before.get(w.name)!.length > 0, `no NATS connection of ${w.name} (pid ${w.pid}) found in /proc: the check would see nothing`);

      await s.sleep(2_000);
      // Any change of a process's connections during the attack: the server dropped one and it came back.
      const changes: string[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const w of watched) {
            const ports = await connectionsTo(w.pid, natsPort);
            const was = before.get(w.name)!;
            if (ports.join("/") !== was.join("/")) {
              changes.push(`${s.rel(now())} ${w.name}: ${was.join("/") || "none"} -> ${ports.join("/") || "none"}`);
              before.set(w.name, ports);
            }
          }
          await s.sleep(SAMPLE_MS);
        }
      })();

      const attackFrom = s.mark(`attack: ${ATTACKS_PER_SECOND}/s of ${LONG_ID.length}-character ids over ${KINDS.join(", ")}`);
      const attacks = await attack(s);
      const attackTo = s.mark(`attack over: ${attacks.length} sent`);
      await s.sleep(2_000);
      sampling = false;
      await sampler;
      await s.stopLoad();

      // Legitimate traffic: error rate 0, before, during and after.
      s.checkNoHang();
      const failed = s.load.records.filter((r) => !r.ok);
      const during = s.load.between(attackFrom, attackTo);
      s.notes.push(
        `legitimate requests during the attack: ${during.length}, ok ${during.filter((r) => r.ok).length}` +
          ` (creates ${during.filter((r) => r.op === "create" && r.ok).length})`,
      );
      s.check(failed.length === 0, () => `${failed.length} legitimate request(s) failed; the bound is 0:\n${s.list(failed)}`);
      s.checkBoundedLatency();

      // Every attack: 400 (HTTP) or INVALID_ARGUMENT (NATS), naming the id field, within the timeout.
      for (const kind of KINDS) {
        const mine = attacks.filter((a) => a.kind === kind);
        const counts = new Map<string, number>();
        for (const a of mine) counts.set(shown(a), (counts.get(shown(a)) ?? 0) + 1);
        s.notes.push(`${kind}: ${mine.length} sent -> ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`);
        const wrong = mine.filter((a) => !rejected(a));
        s.check(
          wrong.length === 0,
          () => `${wrong.length} of ${mine.length} ${kind} with a ${LONG_ID.length}-character id were not rejected as invalid naming the id: ${[...counts].map(([k, n]) => `${k} ${n}`).join(", ")}`,
        );
      }
      const limit = REQUEST_TIMEOUT_MS + MARGIN_MS;
      const slow = attacks.filter((a) => a.end - a.start > limit);
      s.check(slow.length === 0, () => `${slow.length} attack request(s) took over ${limit} ms: ${slow.slice(0, 5).map(shown).join(", ")}`);

      // No instance (nor the gateway) lost its NATS connection.
      s.notes.push(changes.length === 0 ? "NATS connections: unchanged throughout" : `NATS connections changed:\n    ${changes.join("\n    ")}`);
      s.check(changes.length === 0, () => `a process's NATS connection was dropped and made again during the attack:\n  ${changes.join("\n  ")}`);
      for (const instance of s.stack.instances) checkNoReconnectLine(s, instance);
      // Every instance, in either language, got some of the NATS attacks and answered them as errors
      // (the load's own reads and writes are of users that exist: they are no errors).
      const stats = await s.stack.endpointStats();
      for (const instance of s.stack.instances) {
        const idEndpoints = (stats.get(instance.id) ?? []).filter((e) => ["GetUser", "UpdateUser", "DeleteUser"].includes(e.name));
        const errors = idEndpoints.reduce((n, e) => n + e.num_errors, 0);
        s.notes.push(`${instance.name}: ${idEndpoints.map((e) => `${e.name} ${e.num_requests} req, ${e.num_errors} err`).join("; ")}`);
        s.check(errors > 0, `${instance.name} answered none of the NATS attacks with an error (its $SRV.STATS: ${JSON.stringify(idEndpoints)})`);
      }
      const registered = (await s.stack.ping()).map((p) => p.id).sort();
      const expected = s.stack.instances.map((i) => i.id).sort();
      s.check(
        JSON.stringify(registered) === JSON.stringify(expected),
        `$SRV.PING.users lists ${registered.join(", ") || "nobody"}; expected every instance ${expected.join(", ")}`,
      );
      if (s.violations.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);
    });
  });
});

/** Sends the attack at a steady rate, one kind after the other, and waits for every answer. */
async function attack(s: Scenario): Promise<Attack[]> {
  const attacks: Promise<Attack>[] = [];
  const started = now();
  for (let i = 0; now() - started < ATTACK_MS; i++) {
    attacks.push(send(s, KINDS[i % KINDS.length]!, i));
    const due = started + ((i + 1) * 1000) / ATTACKS_PER_SECOND;
    await s.sleep(Math.max(0, due - now()));
  }
  return Promise.all(attacks);
}

async function send(s: Scenario, kind: Kind, i: number): Promise<Attack> {
  const a: Attack = { kind, start: now(), end: 0, outcome: "" };
  const requestId = `long-id-${i}`;
  const timeoutMs = REQUEST_TIMEOUT_MS + MARGIN_MS;
  try {
    if (kind.startsWith("NATS")) {
      const nc = s.stack.nc;
      const r =
        kind === "NATS GetUser"
          ? await callRpc(nc, UserService.method.getUser, { id: LONG_ID }, { timeoutMs, requestId })
          : kind === "NATS UpdateUser"
            ? await callRpc(nc, UserService.method.updateUser, { user: { id: LONG_ID, firstName: "Long" }, updateMask: { paths: ["first_name"] } }, { timeoutMs, requestId })
            : await callRpc(nc, UserService.method.deleteUser, { id: LONG_ID }, { timeoutMs, requestId });
      a.outcome = r.error ?? r.code ?? "?";
      if (r.field !== undefined) a.field = r.field;
    } else {
      const [method] = kind.split(" ") as [string];
      const res = await fetch(`${s.stack.url}/users/${LONG_ID}`, {
        method,
        headers: { "x-request-id": requestId, ...(method === "PATCH" ? { "content-type": "application/json" } : {}) },
        ...(method === "PATCH" ? { body: JSON.stringify({ firstName: "Long" }) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      a.outcome = String(res.status);
      const body = (await res.json().catch(() => ({}))) as { code?: unknown; field?: unknown };
      if (typeof body.code === "string") a.code = body.code;
      if (typeof body.field === "string") a.field = body.field;
    }
  } catch (err) {
    a.outcome = (err as Error).name === "TimeoutError" ? "HANG" : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message);
  }
  a.end = now();
  return a;
}

function rejected(a: Attack): boolean {
  const invalid = a.kind.startsWith("NATS") ? a.outcome === "INVALID_ARGUMENT" : a.outcome === "400";
  return invalid && a.field !== undefined && ID_FIELD.test(a.field);
}

function shown(a: Attack): string {
  return `${a.outcome}${a.code === undefined ? "" : ` ${a.code}`}${a.field === undefined ? "" : ` (${a.field})`}`;
}

/** users-rb logs its client's disconnects and reconnects; users-ts logs a closed connection. */
function checkNoReconnectLine(s: Scenario, instance: Instance): void {
  const lines = instance.proc.lines().filter((l) => /reconnect|disconnect|connection closed|control line/i.test(l.text));
  s.check(lines.length === 0, () => `${instance.name} logged a lost connection: ${lines.slice(0, 3).map((l) => `${s.rel(l.at)} ${l.text.slice(0, 160)}`).join(" | ")}`);
}
