import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import type { Msg } from "@nats-io/transport-node";
import { GetUserResponseSchema, PingResponseSchema, UserSchema } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { RetryBudget } from "@switchyard/gateway";
import { PROBLEM, respondServiceError, startStack, type Stack } from "./harness.js";

/** Sends raw bytes on a fresh connection and resolves with everything the gateway wrote before closing it. */
function rawExchange(port: number, bytes: string, { end = true } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = netConnect(port, "127.0.0.1", () => {
      socket.write(bytes);
      if (end) socket.end();
    });
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve({ text, closedAfterMs: Date.now() - started }));
  });
}

function bodyOf(raw: string): Record<string, unknown> {
  return JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
}

describe("hardening: bounded requests and clear refusals", () => {
  let stack: Stack;
  let port = 0;
  before(async () => {
    stack = await startStack({ httpRequestTimeoutMs: 600, httpHeadersTimeoutMs: 500, docs: false });
    await stack.app.listen({ port: 0, host: "127.0.0.1" });
    port = (stack.app.server.address() as { port: number }).port;
  });
  after(() => stack.close());

  it("refuses a JSON body that is not UTF-8, naming the problem, instead of storing U+FFFD", async () => {
    const res = await stack.app.inject({
      method: "POST",
      url: "/users",
      headers: { "content-type": "application/json" },
      payload: Buffer.concat([Buffer.from('{"firstName":"Jo'), Buffer.from([0xc3, 0x28]), Buffer.from('","lastName":"Doe"}')]),
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "MALFORMED_JSON");
    assert.match(res.json().detail, /UTF-8/);
  });

  it("answers a request that is not HTTP with a 400 problem and closes the connection", async () => {
    const { text } = await rawExchange(port, "NOT HTTP AT ALL\r\n\r\n");
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, /Content-Type: application\/problem\+json/);
    assert.equal(bodyOf(text)["code"], "BAD_REQUEST");
  });

  it("answers headers over the size limit with 431 as a problem", async () => {
    const { text } = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 431 /);
    assert.equal(bodyOf(text)["code"], "HEADERS_TOO_LARGE");
  });

  it("drops a body that stalls past HTTP_REQUEST_TIMEOUT_MS with a 408 problem", async () => {
    const stalled = `POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"first`;
    const { text, closedAfterMs } = await rawExchange(port, stalled, { end: false });
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.equal(bodyOf(text)["code"], "REQUEST_TIMEOUT");
    // The timeout is checked once a second at most here (Node's connectionsCheckingInterval).
    assert.ok(closedAfterMs < 600 + 1500, `closed after ${closedAfterMs} ms`);
  });

  it("can leave the docs out", async () => {
    assert.equal((await stack.app.inject({ method: "GET", url: "/docs" })).statusCode, 404);
    assert.equal((await stack.app.inject({ method: "GET", url: "/openapi.json" })).statusCode, 404);
  });

  it("puts Retry-After on every 503, here no instance behind the route", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/users/u1" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, "NO_SERVICE");
    assert.equal(res.headers["retry-after"], "1");
  });
});

describe("hardening: admission limit", () => {
  let stack: Stack;
  const held: Msg[] = [];
  before(async () => {
    stack = await startStack({ maxInFlight: 2, retryAfterS: 3 });
    // A Ping service that answers only when told to, so that requests stay in flight.
    stack.nc.subscribe("users.v1.UserService.Ping", { callback: (_err, msg) => void held.push(msg) });
    await stack.nc.flush();
  });
  after(() => stack.close());

  const release = () => {
    for (const msg of held.splice(0)) msg.respond(toBinary(PingResponseSchema, create(PingResponseSchema, { message: "pong" })));
  };

  it("answers 503 OVERLOADED at once with Retry-After past MAX_IN_FLIGHT, and admits again when requests end", async () => {
    const first = [stack.app.inject({ method: "GET", url: "/" }), stack.app.inject({ method: "GET", url: "/" })];
    while (held.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(stack.app.admission.inFlight, 2);
    const refused = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.json().code, "OVERLOADED");
    assert.equal(refused.headers["retry-after"], "3");
    assert.equal(stack.app.admission.overloaded, 1);
    release();
    for (const res of await Promise.all(first)) assert.equal(res.statusCode, 200);
    assert.equal(stack.app.admission.inFlight, 0);
    const again = stack.app.inject({ method: "GET", url: "/" });
    while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
    release();
    assert.equal((await again).statusCode, 200);
  });

  it("counts a request that failed out of the in-flight total", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/users/u1" });
    assert.equal(res.statusCode, 503);
    assert.equal(stack.app.admission.inFlight, 0);
  });
});

describe("hardening: retries of idempotent RPCs", () => {
  let stack: Stack;
  const seen: { subject: string; timeoutMs: string | undefined }[] = [];
  let unavailableFirst = 0;
  before(async () => {
    stack = await startStack({ requestTimeoutMs: 2000 });
    const user = create(UserSchema, { id: "u1", firstName: "Ada", lastName: "Lovelace" });
    const reply = (msg: Msg) => {
      seen.push({ subject: msg.subject, timeoutMs: msg.headers?.get(Headers.timeoutMs) });
      if (unavailableFirst > 0) {
        unavailableFirst--;
        respondServiceError(msg, 503, "draining", "UNAVAILABLE");
        return;
      }
      msg.respond(toBinary(GetUserResponseSchema, create(GetUserResponseSchema, { user })));
    };
    stack.nc.subscribe("users.v1.UserService.GetUser", { callback: (_err, msg) => reply(msg) });
    stack.nc.subscribe("users.v1.UserService.CreateUser", { callback: (_err, msg) => reply(msg) });
    await stack.nc.flush();
  });
  after(() => stack.close());

  it("sends an idempotent RPC again after an UNAVAILABLE reply, with the deadline left", async () => {
    seen.length = 0;
    unavailableFirst = 1;
    const retried = stack.app.admission.retries.retried;
    const res = await stack.app.inject({ method: "GET", url: "/users/u1" });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().id, "u1");
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.timeoutMs, "2000");
    const left = Number(seen[1]!.timeoutMs);
    assert.ok(left > 1500 && left < 2000, `the retry carried ${left} ms`);
    assert.equal(stack.app.admission.retries.retried, retried + 1);
  });

  it("gives up after three attempts and answers the last error", async () => {
    seen.length = 0;
    unavailableFirst = 5;
    const res = await stack.app.inject({ method: "GET", url: "/users/u1" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, "UNAVAILABLE");
    assert.equal(seen.length, 3);
    unavailableFirst = 0;
  });

  it("never sends a non-idempotent RPC twice", async () => {
    seen.length = 0;
    unavailableFirst = 1;
    const res = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Ada", lastName: "Lovelace" } });
    assert.equal(res.statusCode, 503);
    assert.equal(seen.length, 1);
    unavailableFirst = 0;
  });
});

describe("retry budget", () => {
  it("allows a tenth of the requests of the last ten seconds beyond a floor, and forgets old seconds", () => {
    let now = 1_000_000;
    const budget = new RetryBudget(10, 1, () => now);
    for (let i = 0; i < 100; i++) budget.request();
    // 10% of 100 plus a floor of 1 a second over 10 s.
    let allowed = 0;
    while (budget.tryRetry()) allowed++;
    assert.equal(allowed, 20);
    assert.equal(budget.refused, 1);
    now += 11_000;
    for (let i = 0; i < 10; i++) budget.request();
    allowed = 0;
    while (budget.tryRetry()) allowed++;
    assert.equal(allowed, 11);
  });
});

describe("edge policy: CORS and rate limits", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ corsOrigins: ["https://app.example"], rateLimitMax: 2, rateLimitWindowMs: 60_000 });
    stack.nc.subscribe("users.v1.UserService.Ping", {
      callback: (_err, msg) => void msg.respond(toBinary(PingResponseSchema, create(PingResponseSchema, { message: "pong" }))),
    });
    await stack.nc.flush();
  });
  after(() => stack.close());

  it("answers a preflight from an allowed origin, and not from another", async () => {
    const preflight = (origin: string) =>
      stack.app.inject({
        method: "OPTIONS",
        url: "/users",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,idempotency-key" },
      });
    const allowed = await preflight("https://app.example");
    assert.equal(allowed.statusCode, 204);
    assert.equal(allowed.headers["access-control-allow-origin"], "https://app.example");
    assert.match(String(allowed.headers["access-control-allow-headers"]), /idempotency-key/);
    const other = await preflight("https://evil.example");
    assert.equal(other.headers["access-control-allow-origin"], undefined);
  });

  it("exposes the gateway's headers to the page", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/", headers: { origin: "https://app.example" }, remoteAddress: "198.51.100.1" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["access-control-expose-headers"]), /x-request-id/);
  });

  it("answers 429 RATE_LIMITED with RateLimit headers past the limit, per client", async () => {
    const from = (remoteAddress: string) => stack.app.inject({ method: "GET", url: "/", remoteAddress });
    assert.equal((await from("198.51.100.2")).statusCode, 200);
    const second = await from("198.51.100.2");
    assert.equal(second.statusCode, 200);
    assert.equal(second.headers["ratelimit-remaining"], "0");
    const third = await from("198.51.100.2");
    assert.equal(third.statusCode, 429);
    assert.equal(third.headers["content-type"], PROBLEM);
    assert.equal(third.json().code, "RATE_LIMITED");
    assert.ok(Number(third.headers["retry-after"]) > 0);
    assert.equal((await from("198.51.100.3")).statusCode, 200);
  });
});

describe("hardening: the body budget", () => {
  let stack: Stack;
  let port = 0;
  before(async () => {
    // Validated at the gateway so that an admitted body is answered without a service (400).
    stack = await startStack({ bodyBufferLimitBytes: 1_048_576, httpRequestTimeoutMs: 5000, validateAtGateway: true });
    await stack.app.listen({ port: 0, host: "127.0.0.1" });
    port = (stack.app.server.address() as { port: number }).port;
  });
  after(() => stack.close());

  it("answers 503 OVERLOADED to one of two bodies the budget cannot hold together, and frees the bytes when clients go", async () => {
    // Two stalled bodies of 600 KiB each do not fit in 1 MiB: one of them is refused (the second to
    // arrive, or the first if it has stalled long enough to be dropped for room), never both.
    const head = (n: number) => `POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\n\r\n`;
    const part = "x".repeat(600 * 1024);
    const sockets = [0, 1].map(() => {
      let text = "";
      const socket = netConnect(port, "127.0.0.1", () => socket.write(head(1_000_000) + part));
      socket.setEncoding("latin1");
      socket.on("data", (chunk: string) => (text += chunk));
      return { socket, text: () => text };
    });
    while (stack.app.admission.bodies.refused < 1) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const answered = sockets.filter((s) => s.text() !== "");
    assert.equal(answered.length, 1);
    assert.match(answered[0]!.text(), /^HTTP\/1\.1 503 /);
    assert.match(answered[0]!.text(), /retry-after: 1/i);
    assert.equal(bodyOf(answered[0]!.text())["code"], "OVERLOADED");
    assert.equal(stack.app.admission.bodies.used, part.length);
    for (const s of sockets) s.socket.destroy();
    while (stack.app.admission.bodies.used > 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(stack.app.admission.bodies.used, 0);
  });

  it("drops a body that has stalled to make room for a new one, so stalled clients cannot lock others out", async () => {
    const head = (n: number) => `POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\n\r\n`;
    const stalled = rawExchange(port, head(1_000_000) + "x".repeat(900 * 1024), { end: false });
    while (stack.app.admission.bodies.used < 900 * 1024) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    const body = JSON.stringify({ firstName: "Ada", lastName: "Lovelace", email: `${"a".repeat(200 * 1024)}@x.example` });
    const fresh = await rawExchange(port, head(Buffer.byteLength(body)) + body);
    // Through to validation (the email is too long), not refused for room.
    assert.match(fresh.text, /^HTTP\/1\.1 400 /);
    const { text } = await stalled;
    assert.match(text, /^HTTP\/1\.1 503 /);
    assert.equal(bodyOf(text)["code"], "OVERLOADED");
  });
});
