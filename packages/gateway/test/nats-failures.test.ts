import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PROBLEM, respondServiceError, startStack, type Stack } from "./harness.js";

// These tests stand in for services with raw NATS subscribers, to produce what a real service
// rarely does: silence, garbage, failures.
describe("gateway when services or NATS misbehave", () => {
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack({ requestTimeoutMs: 300 });
  });
  afterEach(async () => {
    await stack.close();
  });

  it("answers 503 NO_SERVICE at once when no instance listens", { timeout: 5000 }, async () => {
    await stack.close();
    stack = await startStack({ requestTimeoutMs: 60_000 });
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "NO_SERVICE");
  });

  it("answers 504 SERVICE_TIMEOUT when the service never replies", async () => {
    stack.nc.subscribe("users.v1.UserService.GetUser", { callback: () => undefined });
    await stack.nc.flush();
    const res = await stack.app.inject({ method: "GET", url: "/users/abc" });
    assert.equal(res.statusCode, 504);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "SERVICE_TIMEOUT");
  });

  it("answers 502 BAD_SERVICE_REPLY when the reply does not decode", async () => {
    stack.nc.subscribe("users.v1.UserService.Ping", { callback: (_, msg) => void msg.respond(new Uint8Array([0xff, 0xff, 0xff])) });
    await stack.nc.flush();
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 502);
    assert.equal(res.json().code, "BAD_SERVICE_REPLY");
  });

  it("hides an internal service failure's description", async () => {
    stack.nc.subscribe("users.v1.UserService.Ping", {
      callback: (_, msg) => {
        respondServiceError(msg, 500, "TypeError: x is undefined at /srv/app/handler.js:12");
      },
    });
    await stack.nc.flush();
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 500);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "INTERNAL");
    assert.doesNotMatch(res.body, /TypeError|handler\.js/);
  });

  it("maps a bare numeric service error code to its status", async () => {
    stack.nc.subscribe("users.v1.UserService.Ping", {
      callback: (_, msg) => {
        respondServiceError(msg, 429, "slow down");
      },
    });
    await stack.nc.flush();
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 429);
    assert.deepEqual([res.json().code, res.json().detail], ["RESOURCE_EXHAUSTED", "slow down"]);
  });

  it("answers 413 PAYLOAD_TOO_LARGE, not 503, for a body within the gateway's limit but over NATS max_payload", async () => {
    await stack.close();
    stack = await startStack({ bodyLimitBytes: 4 * 1_048_576 });
    // nats-server's default max_payload is 1 MiB; this Protobuf body passes through undecoded.
    const body = Buffer.alloc(1_500_000);
    const res = await stack.app.inject({ method: "POST", url: "/users", headers: { "content-type": "application/x-protobuf" }, payload: body });
    assert.equal(res.statusCode, 413);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "PAYLOAD_TOO_LARGE");
    assert.match(res.json().detail, /message bus's limit of 1048576 bytes/);
  });

  it("answers 503 NATS_UNAVAILABLE, not a late 504, for a request in flight when NATS goes away", { timeout: 10_000 }, async () => {
    await stack.close();
    stack = await startStack({ requestTimeoutMs: 60_000 });
    let received!: () => void;
    const delivered = new Promise<void>((resolve) => (received = resolve));
    stack.nc.subscribe("users.v1.UserService.GetUser", { callback: () => received() });
    await stack.nc.flush();
    const pending = stack.app.inject({ method: "GET", url: "/users/abc" });
    await delivered;
    const started = Date.now();
    await stack.ns.kill();
    const res = await pending;
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, "NATS_UNAVAILABLE");
    assert.ok(Date.now() - started < 5000, "long before the 60 s timeout");
  });

  it("answers 503 NATS_UNAVAILABLE at once while NATS is down", { timeout: 10_000 }, async () => {
    await stack.ns.kill();
    while (stack.app.natsConnected()) await sleep(20);
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, "NATS_UNAVAILABLE");
  });
});
