import { describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { CreateUserResponseSchema, UserService } from "@switchyard/contracts";
import { Headers, methodSubject } from "@switchyard/protocol";
import { httpCall, now, runScenario, shownResult, type Gateway, type HttpCallResult, type Scenario } from "../src/index.js";

/** The client's own limit per request. */
const CALL_TIMEOUT_MS = 10_000;
/** The duplicate sent while the first request runs is refused at once, not after a wait. */
const IN_USE_MS = 1_000;
/** How long the client keeps retrying through the second gateway while it answers 409 IN_USE. */
const RETRY_WINDOW_MS = 20_000;
/** How long the suite waits to see a request or a reply on NATS. */
const SIGHTING_MS = 3_000;
const CREATE_SUBJECT = methodSubject(UserService.method.createUser);

describe("fault: Idempotency-Key across two gateways, one of them killed -9", () => {
  it("replays the first answer through the other gateway after a kill between the service's reply and the client's answer", { timeout: 150_000 }, async () => {
    await runScenario(
      {
        name: "idempotency-kill",
        typescript: 2,
        ruby: 1,
        gateways: 2,
        // Reads through the gateway that survives: it serves on while the other one dies.
        loadVia: 2,
        workers: 8,
        mix: { get: 5, list: 2, ping: 3 },
        seed: 10,
      },
      async (s) => {
        const [a, b] = s.stack.gateways as [Gateway, Gateway];
        const tag = `${s.load.options.runId}`;
        const requests = new Sightings(s.stack.nc, CREATE_SUBJECT);
        await s.stack.nc.flush();
        await s.sleep(1_000);
        try {
          const emails = [await duplicates(s, a, b, requests, tag), await simultaneous(s, a, b, tag), await killBetween(s, a, b, requests, tag)];
          // Exactly one user per email, whatever was sent twice.
          const users = await listAll(b.url);
          for (const email of emails) {
            if (email === undefined) continue;
            const mine = users.filter((u) => String(u["email"]).toLowerCase() === email.toLowerCase());
            s.notes.push(`users with ${email}: ${mine.length} (${mine.map((u) => u["id"]).join(", ")})`);
            s.check(mine.length === 1, `${mine.length} users exist with ${email}; the bound is exactly one`);
          }
        } finally {
          requests.close();
          for (const i of s.stack.instances) i.proc.signal("SIGCONT");
        }
        await s.sleep(1_000);
        await s.stopLoad();

        s.checkNoHang();
        const failed = s.load.records.filter((r) => !r.ok);
        s.check(failed.length === 0, () => `${failed.length} request(s) through ${b.name} failed; the bound is 0:\n${s.list(failed)}`);
        if (s.violations.length > 0) for (const g of s.stack.gateways) s.witnesses.add(g.proc);
      },
    );
  });
});

/**
 * A duplicate while the first request runs: the services are frozen, so the first (through A) is
 * surely in progress when the second (through B) comes. Then a replay, and a changed payload.
 */
async function duplicates(s: Scenario, a: Gateway, b: Gateway, requests: Sightings, tag: string): Promise<string | undefined> {
  const key = `${tag}-duplicate`;
  const email = `${tag}-duplicate@faults.example`;
  const body = { firstName: "Idem", lastName: "Potent", email };
  s.mark(`duplicates: services frozen (SIGSTOP); POST /users with Idempotency-Key ${key} through ${a.name}`);
  freeze(s, "SIGSTOP");
  const first = post(a, key, body, `${tag}-dup-1`);
  const seen = await requests.next(`${tag}-dup-1`, SIGHTING_MS);
  if (seen === undefined) {
    freeze(s, "SIGCONT");
    s.check(false, `the first request never reached ${CREATE_SUBJECT} on NATS within ${SIGHTING_MS} ms (${shownResult(await first)})`);
    return undefined;
  }
  const dup = await post(b, key, body, `${tag}-dup-2`);
  s.mark(`duplicate through ${b.name} while the first runs: ${shownResult(dup)} in ${Math.round(dup.end - dup.start)} ms; services thawed (SIGCONT)`);
  freeze(s, "SIGCONT");
  const firstResult = await first;
  const id = idOf(firstResult);
  s.mark(`first through ${a.name}: ${shownResult(firstResult)}, id ${id ?? "none"}`);
  const replay = await post(b, key, body, `${tag}-dup-3`);
  const changed = await post(b, key, { ...body, lastName: "Changed" }, `${tag}-dup-4`);
  s.notes.push(
    `duplicates: first ${shownResult(firstResult)} id ${id}; duplicate while running ${shownResult(dup)} (Retry-After ${dup.headers["retry-after"] ?? "none"}, ` +
      `${Math.round(dup.end - dup.start)} ms); replay ${shownResult(replay)} id ${idOf(replay)} (Idempotent-Replayed: ${replay.headers["idempotent-replayed"] ?? "absent"}); ` +
      `changed payload ${shownResult(changed)}`,
  );

  s.check(is2xx(firstResult) && id !== undefined, `the first keyed POST /users answered ${shownResult(firstResult)}: ${firstResult.text.slice(0, 200)}`);
  s.check(
    dup.status === 409 && dup.body["code"] === "IDEMPOTENCY_KEY_IN_USE",
    `a duplicate while the first ran answered ${shownResult(dup)}; expected 409 IDEMPOTENCY_KEY_IN_USE: ${dup.text.slice(0, 200)}`,
  );
  s.check(dup.end - dup.start <= IN_USE_MS, `the 409 took ${Math.round(dup.end - dup.start)} ms; the bound is ${IN_USE_MS} ms (refused at once, not after a wait)`);
  s.check(
    is2xx(replay) && idOf(replay) === id && replay.headers["idempotent-replayed"] === "true",
    `the replay answered ${shownResult(replay)} id ${idOf(replay)}, Idempotent-Replayed: ${replay.headers["idempotent-replayed"] ?? "absent"}; expected ${firstResult.status} id ${id}, Idempotent-Replayed: true`,
  );
  s.check(
    changed.status === 422 && changed.body["code"] === "IDEMPOTENCY_KEY_MISMATCH",
    `the same key with another payload answered ${shownResult(changed)}; expected 422 IDEMPOTENCY_KEY_MISMATCH: ${changed.text.slice(0, 200)}`,
  );
  return email;
}

/** The same keyed request through both gateways at the same instant: one runs it, the other is refused or replays it. */
async function simultaneous(s: Scenario, a: Gateway, b: Gateway, tag: string): Promise<string> {
  const key = `${tag}-simultaneous`;
  const email = `${tag}-simultaneous@faults.example`;
  const body = { firstName: "Idem", lastName: "Twice", email };
  s.mark(`simultaneous: the same keyed POST /users through ${a.name} and ${b.name} at once`);
  const results = await Promise.all([post(a, key, body, `${tag}-sim-a`), post(b, key, body, `${tag}-sim-b`)]);
  const fresh = results.filter((r) => is2xx(r) && r.headers["idempotent-replayed"] !== "true");
  const ids = new Set(results.filter(is2xx).map(idOf));
  const others = results.filter((r) => !(is2xx(r) || (r.status === 409 && r.body["code"] === "IDEMPOTENCY_KEY_IN_USE")));
  s.notes.push(
    `simultaneous: ${a.name} ${shownResult(results[0]!)}${replayedMark(results[0]!)}, ${b.name} ${shownResult(results[1]!)}${replayedMark(results[1]!)}; ids ${[...ids].join(", ")}`,
  );
  s.check(fresh.length === 1, `${fresh.length} of the two simultaneous requests ran (a 2xx not replayed); the bound is exactly one`);
  s.check(ids.size === 1, `the simultaneous requests' 2xx answers carry ${ids.size} different ids: ${[...ids].join(", ")}`);
  s.check(others.length === 0, `a simultaneous duplicate answered ${others.map(shownResult).join(", ")}; expected a 2xx (replayed) or 409 IDEMPOTENCY_KEY_IN_USE`);
  return email;
}

/**
 * The kill: services frozen, the keyed request sent through A; once it is seen on NATS (A has sent
 * it), A is frozen (SIGSTOP) and the services thawed. The service handles it and replies to the
 * request's reply subject, where the suite sees the reply; A, frozen, cannot have answered the
 * client. Then SIGKILL of A, and the client retries with the same key through B.
 */
async function killBetween(s: Scenario, a: Gateway, b: Gateway, requests: Sightings, tag: string): Promise<string | undefined> {
  const key = `${tag}-kill`;
  const email = `${tag}-kill@faults.example`;
  const body = { firstName: "Idem", lastName: "Killed", email };
  s.mark(`kill: services frozen (SIGSTOP); POST /users with Idempotency-Key ${key} through ${a.name}`);
  freeze(s, "SIGSTOP");
  let answered: number | undefined;
  const victim = post(a, key, body, `${tag}-kill-1`).then((r) => ((answered = now()), r));
  const seen = await requests.next(`${tag}-kill-1`, SIGHTING_MS);
  if (seen === undefined || seen.reply === undefined || seen.reply === "") {
    freeze(s, "SIGCONT");
    s.check(false, `the request through ${a.name} never reached ${CREATE_SUBJECT} with a reply subject within ${SIGHTING_MS} ms`);
    return undefined;
  }
  const replySubject = seen.reply;
  const replies = s.stack.nc.subscribe(replySubject, { max: 1 });
  await s.stack.nc.flush();
  s.mark(`${a.name} sent it (reply subject ${replySubject}); ${a.name} frozen (SIGSTOP), services thawed (SIGCONT)`, a.proc.signal("SIGSTOP"));
  freeze(s, "SIGCONT");
  const reply = await first(replies, SIGHTING_MS);
  if (reply === undefined) {
    s.check(false, `no reply to ${replySubject} within ${SIGHTING_MS} ms of thawing the services`);
    a.proc.signal("SIGKILL");
    return undefined;
  }
  const error = reply.headers?.get(Headers.errorReason);
  const serviceId = error ? undefined : fromBinary(CreateUserResponseSchema, reply.data).id;
  s.mark(`the service replied on ${replySubject}: ${error ? `error ${error}` : `user ${serviceId}`}`);
  s.check(answered === undefined, `the client got its answer before the kill (${answered === undefined ? "" : s.rel(answered)}): the moment was missed`);
  const killAt = s.mark(`SIGKILL ${a.name}`, a.proc.signal("SIGKILL"));
  const exit = await s.waitExit(a.proc, 5_000);
  s.check(exit?.signal === "SIGKILL", `${a.name} did not die of SIGKILL: ${JSON.stringify(exit)}`);
  const lost = await victim;
  s.mark(`the client's request through ${a.name} ended: ${shownResult(lost)}`, lost.end);
  s.check(lost.status === undefined, `the client got ${shownResult(lost)} from ${a.name} though it was frozen before the service's reply`);

  // The client retries with the same key through B, as long as B says the first is still in progress.
  const attempts: HttpCallResult[] = [];
  let result: HttpCallResult;
  for (;;) {
    result = await post(b, key, body, `${tag}-kill-retry-${attempts.length + 1}`);
    attempts.push(result);
    const inUse = result.status === 409 && result.body["code"] === "IDEMPOTENCY_KEY_IN_USE";
    if (!inUse || now() - killAt > RETRY_WINDOW_MS) break;
    await s.sleep(Math.min(2_000, 1000 * Number(result.headers["retry-after"] ?? 1)));
  }
  const id = idOf(result);
  s.mark(`retry through ${b.name}: ${attempts.length} attempt(s) (${attempts.map(shownResult).join(", ")}), the last ${shownResult(result)} id ${id}${replayedMark(result)}`);
  s.notes.push(`kill: the service made user ${serviceId}; the retry through ${b.name} got ${shownResult(result)} id ${id}${replayedMark(result)} after ${attempts.length} attempt(s), ${Math.round(result.end - killAt)} ms after the kill`);
  s.check(is2xx(result), `the retry through ${b.name} answered ${shownResult(result)} (after ${attempts.length} attempt(s) over ${Math.round(result.end - killAt)} ms): ${result.text.slice(0, 200)}`);
  s.check(serviceId === undefined || id === serviceId, `the retry through ${b.name} got user ${id}; the service had made ${serviceId}`);
  s.check(result.headers["idempotent-replayed"] === "true", `the retry's answer is not marked Idempotent-Replayed: true (${result.headers["idempotent-replayed"] ?? "absent"})`);
  return email;
}

/** Copies of the requests on one subject (a plain subscription beside the queue group), by their request id. */
class Sightings {
  private readonly sub: Subscription;
  private readonly seen = new Map<string, Msg>();
  private readonly waiting = new Map<string, (msg: Msg) => void>();

  constructor(nc: NatsConnection, subject: string) {
    this.sub = nc.subscribe(subject, {
      callback: (_err, msg) => {
        const id = msg.headers?.get(Headers.requestId);
        if (id === undefined || id === "") return;
        this.seen.set(id, msg);
        this.waiting.get(id)?.(msg);
      },
    });
  }

  /** The request sent with this x-request-id, once it is on NATS; undefined after `timeoutMs`. */
  next(requestId: string, timeoutMs: number): Promise<Msg | undefined> {
    const msg = this.seen.get(requestId);
    if (msg !== undefined) return Promise.resolve(msg);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiting.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

async function first(sub: Subscription, timeoutMs: number): Promise<Msg | undefined> {
  const timer = setTimeout(() => sub.unsubscribe(), timeoutMs);
  for await (const msg of sub) {
    clearTimeout(timer);
    return msg;
  }
  return undefined;
}

function freeze(s: Scenario, signal: "SIGSTOP" | "SIGCONT"): void {
  for (const instance of s.stack.instances) instance.proc.signal(signal);
}

function post(gateway: Gateway, key: string, body: unknown, requestId: string): Promise<HttpCallResult> {
  return httpCall(`${gateway.url}/users`, { method: "POST", headers: { "idempotency-key": key, "x-request-id": requestId }, json: body, timeoutMs: CALL_TIMEOUT_MS });
}

function is2xx(r: HttpCallResult): boolean {
  return r.status !== undefined && r.status >= 200 && r.status < 300;
}

function idOf(r: HttpCallResult): string | undefined {
  return typeof r.body["id"] === "string" ? r.body["id"] : undefined;
}

function replayedMark(r: HttpCallResult): string {
  return r.headers["idempotent-replayed"] === "true" ? " (replayed)" : "";
}

/** Every user, page by page, through the gateway. */
async function listAll(baseUrl: string): Promise<Record<string, unknown>[]> {
  const users: Record<string, unknown>[] = [];
  let token = "";
  for (let page = 0; page < 1_000; page++) {
    const r = await httpCall(`${baseUrl}/users?pageSize=100${token === "" ? "" : `&pageToken=${encodeURIComponent(token)}`}`, { method: "GET", timeoutMs: CALL_TIMEOUT_MS });
    if (r.status !== 200) throw new Error(`GET /users answered ${shownResult(r)}: ${r.text.slice(0, 200)}`);
    users.push(...((r.body["users"] as Record<string, unknown>[] | undefined) ?? []));
    token = typeof r.body["nextPageToken"] === "string" ? r.body["nextPageToken"] : "";
    if (token === "") break;
  }
  return users;
}
