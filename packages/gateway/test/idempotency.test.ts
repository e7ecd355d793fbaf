import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { CreateUserRequestSchema, CreateUserResponseSchema, UserService } from "@switchyard/contracts";
import { GatewayError, routesOf } from "@switchyard/gateway";
import { Headers, IDEMPOTENCY_BUCKET } from "@switchyard/protocol";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import {
  captureRequest,
  IdempotencyStore,
  type IdempotencyOptions,
  type IdempotentRequest,
  type IdempotentResult,
  type SendRequest,
} from "../src/idempotency/index.js";
import { respondServiceError } from "./harness.js";

const routes = routesOf([UserService]);
const createUser = routes.find((r) => r.verb === "POST" && r.template.source === "/users")!;
const getUser = routes.find((r) => r.verb === "GET" && r.template.source === "/users/{id}")!;
const SUBJECT = createUser.subject;
const PROBLEM = "application/problem+json; charset=utf-8";

const quiet = { info: () => {}, warn: () => {} };
const options = (overrides: Partial<IdempotencyOptions> = {}): IdempotencyOptions => ({
  enabled: true,
  ttlS: 3600,
  takeoverMarginMs: 0,
  required: [],
  requestTimeoutMs: 1000,
  ...overrides,
});

const payloadOf = (firstName: string) =>
  toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName, lastName: "Lovelace" } }));

let keys = 0;
const newKey = () => `key-${process.pid}-${++keys}-${Date.now()}`;

function request(key: string | undefined, firstName = "Ada", extra: Partial<IdempotentRequest> = {}): IdempotentRequest {
  return { key, scope: "", route: createUser, payload: payloadOf(firstName), accept: undefined, requestId: `req-${++keys}`, ...extra };
}

/** What the gateway's forwarder does, in miniature: the reply, or a GatewayError when none came. */
function sender(nc: NatsConnection, payload: Uint8Array, timeoutMs = 2000): SendRequest {
  return async (capture) => {
    const h = headers();
    if (capture !== undefined) h.set(Headers.idempotencyKey, capture.serviceKey);
    try {
      return capture === undefined
        ? await nc.request(SUBJECT, payload, { headers: h, timeout: timeoutMs })
        : await captureRequest(nc, SUBJECT, payload, h, timeoutMs, capture.replyTo);
    } catch (err) {
      if (err === "timeout" || (err as Error).name === "TimeoutError") throw new GatewayError("SERVICE_TIMEOUT", "slow");
      if (err === "no-responders" || String((err as Error).message).includes("no responders")) throw new GatewayError("NO_SERVICE", "none");
      throw new GatewayError("IDEMPOTENCY_STORE_UNAVAILABLE", "down");
    }
  };
}

function runWith(store: IdempotencyStore, nc: NatsConnection, req: IdempotentRequest, timeoutMs?: number): Promise<IdempotentResult> {
  return store.run(req, sender(nc, req.payload, timeoutMs));
}

/** A CreateUser implementation that counts what it runs, with the behaviour each test asks for. */
class FakeUsers {
  executed = 0;
  received: Msg[] = [];
  delayMs = 0;
  answer: "ok" | "invalid" | "unavailable" = "ok";
  private sub: Subscription | undefined;

  constructor(private readonly nc: NatsConnection) {}

  start(): void {
    this.sub = this.nc.subscribe(SUBJECT, { queue: "users", callback: (_err, msg) => void this.handle(msg) });
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.nc.flush();
  }

  private async handle(msg: Msg): Promise<void> {
    this.received.push(msg);
    if (this.answer === "unavailable") {
      respondServiceError(msg, 503, "try later", "UNAVAILABLE");
      return;
    }
    this.executed++;
    const n = this.executed;
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.answer === "invalid") {
      respondServiceError(msg, 400, "is taken", "ALREADY_EXISTS", "user.email");
      return;
    }
    const input = fromBinary(CreateUserRequestSchema, msg.data);
    const h = headers();
    h.set(Headers.httpStatus, "201");
    h.set(`${Headers.httpHeaderPrefix}Location`, `/users/u${n}`);
    msg.respond(toBinary(CreateUserResponseSchema, create(CreateUserResponseSchema, { id: `u${n}-${input.user?.firstName}`, success: true })), {
      headers: h,
    });
  }
}

const json = (result: IdempotentResult) => JSON.parse(Buffer.from(result.response.body).toString()) as Record<string, unknown>;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(GatewayError.is(err), `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, code, err.detail);
    return err;
  }
  assert.fail(`expected ${code}, got an answer`);
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function started(store: IdempotencyStore): Promise<IdempotencyStore> {
  store.start();
  await until(() => store.ready, "the idempotency bucket");
  return store;
}

describe("Idempotency-Key across two gateways on one NATS", () => {
  let ns: NatsServer;
  let ncA: NatsConnection;
  let ncB: NatsConnection;
  let ncService: NatsConnection;
  let users: FakeUsers;
  let a: IdempotencyStore;
  let b: IdempotencyStore;

  before(async () => {
    ns = await startNatsServer();
    const open = () => connect({ servers: ns.url, noAsyncTraces: true });
    [ncA, ncB, ncService] = await Promise.all([open(), open(), open()]);
    users = new FakeUsers(ncService);
    users.start();
    a = await started(new IdempotencyStore(ncA, options(), quiet));
    b = await started(new IdempotencyStore(ncB, options(), quiet));
  });
  after(async () => {
    a.stop();
    b.stop();
    await Promise.all([ncA, ncB, ncService].map((nc) => nc.close()));
    await ns.stop();
  });

  const reset = () => {
    users.delayMs = 0;
    users.answer = "ok";
  };

  it("creates the bucket with the configured expiry", async () => {
    const status = await (await new Kvm(jetstream(ncA)).open(IDEMPOTENCY_BUCKET)).status();
    assert.equal(status.ttl, 3600 * 1000);
  });

  it("runs the first request and stores its answer; a retry gets it back byte for byte, marked as replayed", async () => {
    reset();
    const key = newKey();
    const before = users.executed;
    const first = await runWith(a, ncA, request(key));
    assert.equal(first.replayed, false);
    assert.equal(first.response.status, 201);
    assert.equal(first.response.headers["location"], `/users/u${before + 1}`);
    assert.equal(first.response.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(json(first)["id"], `u${before + 1}-Ada`);
    // The service was told which operation this is.
    assert.match(users.received.at(-1)!.headers!.get(Headers.idempotencyKey), /^[0-9a-f]{64}$/);

    const again = await runWith(a, ncA, request(key));
    assert.equal(again.replayed, true);
    assert.deepEqual(again.response, { ...first.response, body: again.response.body });
    assert.deepEqual(Buffer.from(again.response.body), Buffer.from(first.response.body));
    assert.equal(users.executed, before + 1);
  });

  it("replays through the other gateway: both read one bucket", async () => {
    reset();
    const key = newKey();
    const before = users.executed;
    const first = await runWith(b, ncB, request(key, "Grace"));
    const fromA = await runWith(a, ncA, request(key, "Grace"));
    assert.equal(fromA.replayed, true);
    assert.deepEqual(json(fromA), json(first));
    assert.equal(users.executed, before + 1);
  });

  it("answers a duplicate 409 with Retry-After while the first is still running, then replays", async () => {
    reset();
    users.delayMs = 400;
    const key = newKey();
    const before = users.executed;
    const first = runWith(a, ncA, request(key));
    await until(() => users.executed === before + 1, "the service to start the first request");
    const busy = await rejectsWith(runWith(b, ncB, request(key)), "IDEMPOTENCY_KEY_IN_USE");
    assert.equal(busy.status, 409);
    assert.deepEqual(busy.headers, { "retry-after": "1" });
    assert.equal(busy.field, "idempotency-key");
    await rejectsWith(runWith(a, ncA, request(key)), "IDEMPOTENCY_KEY_IN_USE");
    const done = await first;
    const retry = await runWith(b, ncB, request(key));
    assert.equal(retry.replayed, true);
    assert.deepEqual(json(retry), json(done));
    assert.equal(users.executed, before + 1);
  });

  it("answers 422 when the key comes back with another payload or another Accept", async () => {
    reset();
    const key = newKey();
    await runWith(a, ncA, request(key, "Ada"));
    const before = users.executed;
    const other = await rejectsWith(runWith(b, ncB, request(key, "Bob")), "IDEMPOTENCY_KEY_MISMATCH");
    assert.equal(other.status, 422);
    assert.equal(other.field, "idempotency-key");
    await rejectsWith(runWith(a, ncA, request(key, "Ada", { accept: "application/x-protobuf" })), "IDEMPOTENCY_KEY_MISMATCH");
    assert.equal(users.executed, before);
  });

  it("answers 422 for another payload even while the first is running", async () => {
    reset();
    users.delayMs = 300;
    const key = newKey();
    const before = users.executed;
    const first = runWith(a, ncA, request(key, "Ada"));
    await until(() => users.executed === before + 1, "the first request to run");
    await rejectsWith(runWith(b, ncB, request(key, "Bob")), "IDEMPOTENCY_KEY_MISMATCH");
    await first;
  });

  it("stores an error answer as problem+json and replays the same bytes", async () => {
    reset();
    users.answer = "invalid";
    const key = newKey();
    const req = request(key);
    const before = users.executed;
    const first = await runWith(a, ncA, req);
    assert.equal(first.replayed, false);
    assert.equal(first.response.status, 409);
    assert.equal(first.response.headers["content-type"], PROBLEM);
    assert.deepEqual(json(first), {
      type: "about:blank",
      title: "Already exists",
      status: 409,
      detail: "is taken",
      code: "ALREADY_EXISTS",
      field: "user.email",
      requestId: req.requestId,
    });
    users.answer = "ok";
    const again = await runWith(b, ncB, request(key));
    assert.equal(again.replayed, true);
    assert.deepEqual(Buffer.from(again.response.body), Buffer.from(first.response.body));
    assert.equal(users.executed, before + 1);
  });

  it("frees the key when no service instance listened, so the retry runs", async () => {
    reset();
    const key = newKey();
    await users.stop();
    const released = a.counts.released;
    await rejectsWith(runWith(a, ncA, request(key)), "NO_SERVICE");
    assert.equal(a.counts.released, released + 1);
    users.start();
    await ncService.flush();
    const retry = await runWith(b, ncB, request(key));
    assert.equal(retry.replayed, false);
    assert.equal(retry.response.status, 201);
  });

  it("frees the key when the service answers UNAVAILABLE (it applied nothing)", async () => {
    reset();
    users.answer = "unavailable";
    const key = newKey();
    await rejectsWith(runWith(a, ncA, request(key)), "UNAVAILABLE");
    users.answer = "ok";
    const retry = await runWith(a, ncA, request(key));
    assert.equal(retry.replayed, false);
    assert.equal(retry.response.status, 201);
  });

  it("keeps the key after a timeout, and replays the reply that came late instead of running again", async () => {
    reset();
    users.delayMs = 500;
    const key = newKey();
    const before = users.executed;
    await rejectsWith(runWith(a, ncA, request(key), 150), "SERVICE_TIMEOUT");
    // Still running at the service: a retry must not run it a second time.
    await rejectsWith(runWith(b, ncB, request(key)), "IDEMPOTENCY_KEY_IN_USE");
    await sleep(600);
    const recovered = b.counts.recovered;
    const retry = await runWith(b, ncB, request(key));
    assert.equal(retry.replayed, true);
    assert.equal(retry.response.status, 201);
    assert.equal(json(retry)["id"], `u${before + 1}-Ada`);
    assert.equal(b.counts.recovered, recovered + 1);
    assert.equal(users.executed, before + 1);
  });

  it("recovers the answer when a gateway dies after the service replied, before storing it: one run, one answer", async () => {
    reset();
    const key = newKey();
    const before = users.executed;
    const req = request(key);
    // Gateway A gets the reply and dies on the spot: it never stores the answer nor sends it.
    let replied = false;
    void a.run(req, async (capture) => {
      await sender(ncA, req.payload)(capture);
      replied = true;
      return new Promise<Msg>(() => {});
    });
    await until(() => replied, "the service's reply");
    const recoveredByB = b.counts.recovered;
    const retry = await runWith(b, ncB, request(key));
    assert.equal(retry.replayed, true);
    assert.equal(b.counts.recovered, recoveredByB + 1);
    assert.equal(retry.response.status, 201);
    assert.equal(json(retry)["id"], `u${before + 1}-Ada`);
    assert.equal(users.executed, before + 1);
    // The recovered answer is stored now: later retries replay it from the record.
    const recovered = a.counts.recovered;
    const later = await runWith(a, ncA, request(key));
    assert.deepEqual(json(later), json(retry));
    assert.equal(a.counts.recovered, recovered);
  });

  it("lets exactly one of two racing retries take over a stale claim that got no reply", async () => {
    reset();
    users.delayMs = 300;
    const key = newKey();
    const before = users.executed;
    // Gateway A claims the key and dies before sending anything.
    void a.run(request(key), () => new Promise<Msg>(() => {}));
    await sleep(100);
    await rejectsWith(runWith(b, ncB, request(key)), "IDEMPOTENCY_KEY_IN_USE");
    await sleep(1000); // past the request timeout (1000 ms) and the margin (0)
    const taken = a.counts.takenOver + b.counts.takenOver;
    const results = await Promise.allSettled([runWith(a, ncA, request(key)), runWith(b, ncB, request(key))]);
    const ran = results.filter((r) => r.status === "fulfilled" && !r.value.replayed);
    assert.equal(ran.length, 1, JSON.stringify(results.map((r) => r.status)));
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as GatewayError).code, "IDEMPOTENCY_KEY_IN_USE");
    }
    assert.equal(a.counts.takenOver + b.counts.takenOver, taken + 1);
    assert.equal(users.executed, before + 1);
  });

  it("passes requests without a key through, unguarded", async () => {
    reset();
    const before = users.executed;
    assert.equal(a.handles(createUser, undefined), false);
    const one = await runWith(a, ncA, request(undefined));
    const two = await runWith(a, ncA, request(undefined));
    assert.equal(one.replayed || two.replayed, false);
    assert.equal(users.executed, before + 2);
  });

  it("ignores the key on RPCs declared NO_SIDE_EFFECTS or IDEMPOTENT", () => {
    assert.equal(a.handles(getUser, "some-key"), false);
    assert.equal(a.handles(createUser, "some-key"), true);
  });

  it("scopes keys by client: the same key from two subjects is two requests", async () => {
    reset();
    const key = newKey();
    const before = users.executed;
    const alice = await runWith(a, ncA, request(key, "Ada", { scope: "alice" }));
    const bob = await runWith(a, ncA, request(key, "Ada", { scope: "bob" }));
    assert.equal(alice.replayed || bob.replayed, false);
    assert.equal(users.executed, before + 2);
  });

  it("refuses an invalid key with 400 before anything runs", async () => {
    const before = users.executed;
    const err = await rejectsWith(runWith(a, ncA, request("has space")), "INVALID_IDEMPOTENCY_KEY");
    assert.equal(err.status, 400);
    assert.equal(users.executed, before);
  });

  it("refuses a request without a key on a route that requires one", async () => {
    const store = new IdempotencyStore(ncA, options({ required: ["users.v1.UserService.CreateUser"] }), quiet);
    assert.equal(store.handles(createUser, undefined), true);
    const err = await rejectsWith(runWith(store, ncA, request(undefined)), "IDEMPOTENCY_KEY_REQUIRED");
    assert.equal(err.status, 400);
    assert.equal(err.field, "idempotency-key");
    assert.match(err.detail, /POST \/users needs an Idempotency-Key/);
    const byService = new IdempotencyStore(ncA, options({ required: ["users.v1.UserService"] }), quiet);
    assert.equal(byService.requiresKey(createUser), true);
  });

  it("keeps to its own IDEMPOTENCY_TTL_S when the bucket was made with a longer one, and says so", async () => {
    reset();
    const warnings: string[] = [];
    const short = await started(new IdempotencyStore(ncA, options({ ttlS: 1 }), { info: () => {}, warn: (m) => warnings.push(m) }));
    assert.match(warnings.join("\n"), /keeps records 3600 s, not IDEMPOTENCY_TTL_S=1/);
    const key = newKey();
    const before = users.executed;
    await runWith(short, ncA, request(key, "Ada"));
    await sleep(1100);
    const fresh = await runWith(short, ncA, request(key, "Bob"));
    assert.equal(fresh.replayed, false);
    assert.equal(users.executed, before + 2);
    short.stop();
  });

  it("refuses keyed requests with 503 and Retry-After until the bucket is open (fail closed)", async () => {
    const store = new IdempotencyStore(ncA, options(), quiet);
    const err = await rejectsWith(runWith(store, ncA, request(newKey())), "IDEMPOTENCY_STORE_UNAVAILABLE");
    assert.equal(err.status, 503);
    assert.deepEqual(err.headers, { "retry-after": "1" });
  });
});

describe("Idempotency-Key expiry and store failures", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let ncService: NatsConnection;
  let users: FakeUsers;
  let store: IdempotencyStore;

  before(async () => {
    ns = await startNatsServer();
    nc = await connect({ servers: ns.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    ncService = await connect({ servers: ns.url, noAsyncTraces: true });
    users = new FakeUsers(ncService);
    users.start();
    store = await started(new IdempotencyStore(nc, options({ ttlS: 1 }), quiet));
  });
  after(async () => {
    store.stop();
    await Promise.all([nc, ncService].map((c) => c.close()));
    await ns.stop();
  });

  it("forgets an answer once IDEMPOTENCY_TTL_S has passed: the key is free for a new request", async () => {
    const key = newKey();
    const before = users.executed;
    await runWith(store, nc, request(key, "Ada"));
    assert.equal((await runWith(store, nc, request(key, "Ada"))).replayed, true);
    await rejectsWith(runWith(store, nc, request(key, "Bob")), "IDEMPOTENCY_KEY_MISMATCH");
    await sleep(1500);
    const fresh = await runWith(store, nc, request(key, "Bob"));
    assert.equal(fresh.replayed, false);
    assert.equal(users.executed, before + 2);
  });

  it("refuses keyed requests with 503 when JetStream stops answering", async () => {
    await ns.kill();
    const started = Date.now();
    const err = await rejectsWith(runWith(store, nc, request(newKey())), "IDEMPOTENCY_STORE_UNAVAILABLE");
    assert.deepEqual(err.headers, { "retry-after": "1" });
    assert.ok(Date.now() - started < 5000);
    await ns.restart();
  });
});
