import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { call, ProcessStack, setPolicy, USERS, type Gateway, type Instance } from "./process-stack.js";

interface Report {
  rpc: string;
  shadow: string;
  sent: number;
  compared: number;
  mismatches: number;
  shadowFailures: Record<string, number>;
  fields: { field: string; mismatches: number }[];
  noise: { field: string; count: number }[];
  recent: { fields: string[]; primary: { deployment: string; reply: any }; shadow: { deployment: string; reply: any } }[];
}

// The shadow gets copies and its answers are compared, never returned: users-odd is users-ts told to
// answer GetUser with the last name in capitals (a test-only switch).
describe("shadow-and-compare", () => {
  let stack: ProcessStack;
  let gateway: Gateway;
  let odd: Instance;

  before(async () => {
    stack = await ProcessStack.start();
    gateway = await stack.startGateway({ REQUEST_TIMEOUT_MS: "3000" });
    [, , odd] = await Promise.all([
      stack.startUsers("users-a"),
      stack.startUsers("users-b"),
      stack.startUsers("users-odd", "ts", { USERS_TEST_DIVERGE: "upper-last-name" }),
    ]);
  });
  after(async () => {
    if (odd?.target.exit === undefined) process.kill(odd.target.pid, "SIGCONT");
    await stack?.close();
  });

  /** The report of `rpc` against `shadow`, once `compared` requests are compared (or failed to be). */
  const reportOf = async (rpc: string, shadow: string, settled: number): Promise<Report> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { body } = await call(`${gateway.url}/_/shadow`, "GET");
      const report = (body.reports as Report[]).find((r) => r.rpc === `${USERS}.${rpc}` && r.shadow === shadow);
      const failures = Object.values(report?.shadowFailures ?? {}).reduce((a, b) => a + b, 0);
      if (report !== undefined && report.compared + failures >= settled) return report;
      if (Date.now() > deadline) throw new Error(`${rpc} against ${shadow}: ${JSON.stringify(report)}`);
      await sleep(50);
    }
  };
  const reset = async () => assert.equal((await call(`${gateway.url}/_/shadow`, "DELETE")).status, 200);

  it("names exactly the field an implementation answers differently", async () => {
    await reset();
    await setPolicy(gateway, { weights: { "users-a": 100 }, shadow: { deployment: "users-odd", noiseFraction: 0.5 } });
    const created = await call(`${gateway.url}/users`, "POST", { firstName: "Ada", lastName: "Lovelace" });
    assert.equal(created.status, 200);
    for (let i = 0; i < 100; i++) {
      const got = await call(`${gateway.url}/users/${created.body.id}`, "GET");
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.body.lastName, "Lovelace", "the client always gets the primary's answer");
    }
    const report = await reportOf("GetUser", "users-odd", 100);
    assert.equal(report.compared, 100);
    assert.equal(report.mismatches, 100);
    assert.deepEqual(report.fields, [{ field: "user.last_name", mismatches: 100 }]);
    assert.deepEqual(report.noise, []);
    const pair = report.recent[0]!;
    assert.deepEqual(pair.fields, ["user.last_name"]);
    assert.deepEqual([pair.primary.deployment, pair.primary.reply.user.last_name], ["users-a", "Lovelace"]);
    assert.deepEqual([pair.shadow.deployment, pair.shadow.reply.user.last_name], ["users-odd", "LOVELACE"]);
  });

  it("finds no mismatch between two identical implementations over 1,000 writes, and finds id as noise", { timeout: 120_000 }, async () => {
    await reset();
    await setPolicy(gateway, {
      weights: { "users-a": 100 },
      rpcs: { CreateUser: { shadow: { deployment: "users-b", noiseFraction: 0.2, writes: true } } },
    });
    for (let i = 0; i < 1_000; i++) {
      assert.equal((await call(`${gateway.url}/users`, "POST", { firstName: `Twin${i}`, lastName: "Doe" })).status, 200);
    }
    const report = await reportOf("CreateUser", "users-b", 1_000);
    assert.equal(report.compared, 1_000, JSON.stringify(report.shadowFailures));
    assert.equal(report.mismatches, 0, JSON.stringify(report.fields));
    assert.deepEqual(
      report.noise.map((n) => n.field),
      ["id"],
    );
  });

  it("refuses to shadow a writing RPC unless the policy says writes: true", async () => {
    const res = await call(`${gateway.url}/_/traffic/${USERS}`, "PUT", { policy: { rpcs: { CreateUser: { shadow: { deployment: "users-b" } } } } });
    assert.equal(res.status, 400);
    assert.equal(res.body.code, "INVALID_POLICY");
    assert.equal(res.body.field, "policy.rpcs.CreateUser.shadow");
    assert.match(res.body.detail, /may have side effects/);
  });

  const primaryErrors = async () => {
    const { body } = await call(`${gateway.url}/_/services`, "GET");
    const route = body.routes.find((r: { rpc: string }) => r.rpc === `${USERS}.Ping`);
    return route.deployments.find((d: { deployment: string }) => d.deployment === "users-a");
  };

  it("costs the primary nothing when the shadow is gone: every request answered, no error", async () => {
    await reset();
    await setPolicy(gateway, { weights: { "users-a": 100 }, shadow: { deployment: "users-nobody" } });
    for (let i = 0; i < 200; i++) assert.equal((await call(`${gateway.url}/`, "GET")).status, 200);
    const report = await reportOf("Ping", "users-nobody", 200);
    assert.equal(report.shadowFailures["no-responders"], 200);
    assert.equal((await primaryErrors()).errors, 0);
  });

  it("costs the primary nothing when the shadow hangs: every request answered, no error", { timeout: 60_000 }, async () => {
    await reset();
    await setPolicy(gateway, { weights: { "users-a": 100 }, shadow: { deployment: "users-odd" } });
    process.kill(odd.target.pid, "SIGSTOP");
    try {
      for (let i = 0; i < 50; i++) {
        const started = Date.now();
        assert.equal((await call(`${gateway.url}/`, "GET")).status, 200);
        // The copy waits out its 3 s timeout; the client never does.
        assert.ok(Date.now() - started < 2000, `request ${i} took ${Date.now() - started} ms`);
      }
      const report = await reportOf("Ping", "users-odd", 50);
      assert.equal(report.shadowFailures["timeout"], 50);
    } finally {
      process.kill(odd.target.pid, "SIGCONT");
    }
    assert.equal((await primaryErrors()).errors, 0);
  });
});
