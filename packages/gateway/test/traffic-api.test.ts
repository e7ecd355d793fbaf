import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildGateway } from "@switchyard/gateway";
import { TRAFFIC_BUCKET } from "@switchyard/protocol";
import { startNatsServer } from "@switchyard/testing";
import { PROBLEM, startStack, testConfig, type Stack } from "./harness.js";

const USERS = "users.v1.UserService";
const path = `/_/traffic/${USERS}`;

describe("traffic policy admin API", () => {
  let stack: Stack;
  const put = (payload: unknown, extra: { remoteAddress?: string; headers?: Record<string, string> } = {}) =>
    stack.app.inject({ method: "PUT", url: path, payload: payload as object, ...extra });

  before(async () => {
    stack = await startStack();
  });
  after(async () => stack.close());

  it("starts with no policy", async () => {
    assert.deepEqual((await stack.app.inject({ method: "GET", url: "/_/traffic" })).json(), { policies: [] });
    assert.deepEqual((await stack.app.inject({ method: "GET", url: path })).json(), { service: USERS, revision: null, policy: null });
  });

  const refusals: [string, unknown, string, RegExp][] = [
    ["negative weight", { weights: { "users-ts": -1 } }, "policy.weights.users-ts", /whole number from 0/],
    ["all-zero weights", { weights: { "users-ts": 0, "users-rb": 0 } }, "policy.weights", /at least one weight must be above 0/],
    ["fractional weight", { weights: { "users-ts": 1.5 } }, "policy.weights.users-ts", /whole number/],
    ["bad deployment name", { weights: { "users ts": 1 } }, "policy.weights.users ts", /deployment name/],
    ["unknown RPC", { rpcs: { Frobnicate: { weights: { a: 1 } } } }, "policy.rpcs.Frobnicate", /has no RPC Frobnicate/],
    ["rule with two matchers", { rules: [{ header: "x-team", equals: "a", prefix: "b", deployment: "a" }] }, "policy.rules[0]", /exactly one of/],
    ["rule with no deployment", { rules: [{ header: "x-team", equals: "a" }] }, "policy.rules[0].deployment", /deployment name/],
    ["rule on a bad header name", { rules: [{ header: "x team", present: true, deployment: "a" }] }, "policy.rules[0].header", /header name/],
    ["sticky without weights", { sticky: { header: "x-customer" } }, "policy.sticky", /needs weights/],
    ["shadow fraction of 0", { shadow: { deployment: "a", fraction: 0 } }, "policy.shadow.fraction", /above 0/],
    ["writes on the whole service", { shadow: { deployment: "a", writes: true } }, "policy.shadow.writes", /per RPC only/],
    ["unknown field", { weigths: { a: 1 } }, "policy.weigths", /is not a policy field/],
    ["a policy that is not an object", [1, 2], "policy.policy", /JSON object/],
  ];
  for (const [what, policy, field, detail] of refusals) {
    it(`refuses a ${what} with 400 INVALID_POLICY naming ${field}, and changes nothing`, async () => {
      const res = await put({ policy });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers["content-type"], PROBLEM);
      assert.equal(res.json().code, "INVALID_POLICY");
      assert.equal(res.json().field, field);
      assert.match(res.json().detail, detail);
      assert.deepEqual((await stack.app.inject({ method: "GET", url: "/_/traffic" })).json().policies, []);
    });
  }

  it("refuses a change without a policy, or with fields it does not know", async () => {
    assert.equal((await put({ comment: "no policy" })).json().field, "policy");
    assert.equal((await put({ policy: {}, commment: "typo" })).json().field, "commment");
  });

  it("answers 404 UNKNOWN_SERVICE for a service the gateway does not serve", async () => {
    const res = await stack.app.inject({ method: "PUT", url: "/_/traffic/shop.v1.Cart", payload: { policy: {} } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "UNKNOWN_SERVICE");
    assert.match(res.json().detail, /serves users\.v1\.UserService/);
  });

  it("answers another machine, or a client through a proxy, 403 on the public port, however the path is spelled", async () => {
    const remote = await put({ policy: { weights: { a: 1 } } }, { remoteAddress: "203.0.113.7" });
    assert.equal(remote.statusCode, 403);
    assert.equal(remote.json().code, "ADMIN_FORBIDDEN");
    const proxied = await put({ policy: { weights: { a: 1 } } }, { headers: { "x-forwarded-for": "203.0.113.7" } });
    assert.equal(proxied.statusCode, 403);
    assert.equal((await stack.app.inject({ method: "DELETE", url: "/_/shadow", remoteAddress: "203.0.113.7" })).statusCode, 403);
    for (const url of ["/_/traffic", "/%5F/traffic", "/_/services", "/%5f/services", "/metrics", "/_/dashboard"]) {
      const read = await stack.app.inject({ method: "GET", url, remoteAddress: "203.0.113.7" });
      assert.equal(read.statusCode, 403, url);
      assert.equal(read.json().code, "ADMIN_FORBIDDEN", url);
    }
    assert.equal((await stack.app.inject({ method: "GET", url: "/%5F/traffic" })).statusCode, 200);
    assert.equal((await stack.app.inject({ method: "GET", url: "/healthz", remoteAddress: "203.0.113.7" })).statusCode, 200);
  });

  let first = 0;
  let second = 0;
  it("stores a policy as a revision, applies it, and warns of deployments with no instance", async () => {
    const res = await put({ policy: { weights: { "users-ts": 90, "users-rb": 10 } }, comment: "10% canary" });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    first = body.revision;
    assert.ok(first > 0);
    assert.equal(body.inForceRevision, first);
    assert.equal(body.comment, "10% canary");
    assert.deepEqual(body.policy, { weights: { "users-ts": 90, "users-rb": 10 } });
    assert.equal(body.warnings.length, 2);
    assert.match(body.warnings[0], /no live instance belongs to users-ts/);
  });

  it("refuses a change made against a revision that is no longer the latest", async () => {
    second = (await put({ policy: { weights: { "users-ts": 50, "users-rb": 50 } }, expectedRevision: first })).json().revision;
    const stale = await put({ policy: { weights: { "users-ts": 1 } }, expectedRevision: first });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().code, "REVISION_CONFLICT");
    assert.equal((await stack.app.inject({ method: "GET", url: path })).json().revision, second);
  });

  it("lists the history newest first and rolls back to the revision before, as a new revision", async () => {
    const history = (await stack.app.inject({ method: "GET", url: `${path}/history` })).json();
    assert.deepEqual(
      history.revisions.map((r: { revision: number; comment: string | null }) => [r.revision, r.comment]),
      [
        [second, null],
        [first, "10% canary"],
      ],
    );
    const back = await stack.app.inject({ method: "POST", url: `${path}/rollback`, payload: {} });
    assert.equal(back.statusCode, 200, back.body);
    assert.ok(back.json().revision > second);
    assert.deepEqual(back.json().policy, { weights: { "users-ts": 90, "users-rb": 10 } });
    assert.equal(back.json().comment, `rollback to revision ${first}`);
  });

  it("rolls back to a named revision, and refuses one it does not hold", async () => {
    const to = await stack.app.inject({ method: "POST", url: `${path}/rollback`, payload: { revision: second } });
    assert.deepEqual(to.json().policy, { weights: { "users-ts": 50, "users-rb": 50 } });
    const missing = await stack.app.inject({ method: "POST", url: `${path}/rollback`, payload: { revision: 99999 } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, "REVISION_NOT_FOUND");
  });

  it("removes the policy, and a rollback then puts the last one back", async () => {
    const removed = await stack.app.inject({ method: "DELETE", url: path });
    assert.deepEqual(removed.json(), { service: USERS, revision: null, policy: null });
    assert.deepEqual((await stack.app.inject({ method: "GET", url: "/_/traffic" })).json().policies, []);
    const back = await stack.app.inject({ method: "POST", url: `${path}/rollback`, payload: {} });
    assert.deepEqual(back.json().policy, { weights: { "users-ts": 50, "users-rb": 50 } });
  });

  it("writes no revision to remove a policy that is not there", async () => {
    await stack.app.inject({ method: "DELETE", url: path });
    const before = (await stack.app.inject({ method: "GET", url: `${path}/history` })).json().revisions.length;
    assert.equal((await stack.app.inject({ method: "DELETE", url: path })).statusCode, 200);
    assert.equal((await stack.app.inject({ method: "GET", url: `${path}/history` })).json().revisions.length, before);
    await stack.app.inject({ method: "POST", url: `${path}/rollback`, payload: {} });
  });

  it("keeps the last good policy in force when the bucket is written by hand with a bad one, and says why", async () => {
    const inForce = (await stack.app.inject({ method: "GET", url: path })).json().revision;
    const kv = await new Kvm(stack.nc).open(TRAFFIC_BUCKET);
    await kv.put(USERS, JSON.stringify({ policy: { weights: { a: -5 } }, changedAt: new Date().toISOString() }));
    let state;
    for (let i = 0; i < 100; i++) {
      state = (await stack.app.inject({ method: "GET", url: path })).json();
      if (state.problem !== undefined) break;
      await sleep(20);
    }
    assert.equal(state.inForceRevision, inForce);
    assert.match(state.problem, /is invalid: weights\.a: must be a whole number/);
  });
});

describe("traffic policies without JetStream", () => {
  it("leaves the gateway ready and serving, and answers changes with 503 POLICY_STORE_UNAVAILABLE", async () => {
    const ns = await startNatsServer({ jetstream: false });
    const nc = await connect({ servers: ns.url });
    const app = buildGateway({ nc, services: contractFiles.flatMap((f) => f.services), config: { ...testConfig, readyNeedsInstances: false } });
    try {
      await app.ready();
      let ready = 0;
      for (let i = 0; i < 100 && ready !== 200; i++) {
        ready = (await app.inject({ method: "GET", url: "/readyz" })).statusCode;
        await sleep(20);
      }
      assert.equal(ready, 200);
      const res = await app.inject({ method: "PUT", url: path, payload: { policy: { weights: { a: 1 } } } });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, "POLICY_STORE_UNAVAILABLE");
      assert.match(res.json().detail, /JetStream is not enabled/);
    } finally {
      await app.close();
      await nc.close();
      await ns.stop();
    }
  });
});
