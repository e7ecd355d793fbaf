import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { call, pings, ProcessStack, setPolicy, USERS, type Gateway } from "./process-stack.js";

// Two gateway replicas on one NATS, two deployments of users-ts, all real processes: the policy one
// replica is given reaches the other through the bucket they both watch.
describe("traffic policy across two gateway replicas", () => {
  let stack: ProcessStack;
  let one: Gateway;
  let two: Gateway;
  let deployments: Map<string, string>;

  before(async () => {
    stack = await ProcessStack.start();
    [one, two] = await Promise.all([stack.startGateway(), stack.startGateway()]);
    await Promise.all([stack.startUsers("users-a"), stack.startUsers("users-b")]);
    deployments = await stack.deployments();
  });
  after(async () => {
    await stack?.close();
  });

  it("without a policy, both deployments share the queue group", async () => {
    const tally = await pings(one, 400, deployments);
    assert.ok((tally.get("users-a") ?? 0) > 100 && (tally.get("users-b") ?? 0) > 100, JSON.stringify([...tally]));
  });

  it("splits 90/10 within 2 points on each replica over 10,000 requests", { timeout: 180_000 }, async () => {
    await setPolicy(one, { weights: { "users-a": 90, "users-b": 10 } }, "90/10");
    for (const gateway of [one, two]) {
      const tally = await pings(gateway, 10_000, deployments);
      const a = tally.get("users-a") ?? 0;
      const b = tally.get("users-b") ?? 0;
      assert.equal(a + b, 10_000, JSON.stringify([...tally]));
      assert.ok(Math.abs(a / 10_000 - 0.9) <= 0.02, `${gateway.url}: users-a got ${a} of 10,000`);
    }
  });

  it("applies a weight change on both replicas within a second", async () => {
    const started = Date.now();
    const set = await setPolicy(one, { weights: { "users-a": 0, "users-b": 100 } }, "all to b");
    const appliedOn = async (gateway: Gateway) => {
      for (;;) {
        const state = await call(`${gateway.url}/_/traffic/${USERS}`, "GET");
        if (state.body.inForceRevision === set.revision) return Date.now() - started;
        await sleep(10);
      }
    };
    const [tookOne, tookTwo] = await Promise.all([appliedOn(one), appliedOn(two)]);
    assert.ok(tookOne <= 1000 && tookTwo <= 1000, `applied after ${tookOne} ms and ${tookTwo} ms`);
    for (const gateway of [one, two]) assert.deepEqual([...(await pings(gateway, 200, deployments))], [["users-b", 200]]);
  });

  it("sends a request matching a header rule to its deployment, and the rest by weight", async () => {
    await setPolicy(one, {
      rules: [{ header: "Switchyard-Meta-Team", equals: "canary", deployment: "users-b" }],
      weights: { "users-a": 100 },
    });
    for (const gateway of [one, two]) {
      assert.deepEqual([...(await pings(gateway, 200, deployments, { "switchyard-meta-team": "canary" }))], [["users-b", 200]]);
      assert.deepEqual([...(await pings(gateway, 200, deployments, { "switchyard-meta-team": "other" }))], [["users-a", 200]]);
      assert.deepEqual([...(await pings(gateway, 200, deployments))], [["users-a", 200]]);
    }
  });

  it("keeps each sticky key on one deployment, the same on both replicas, and spreads the keys", async () => {
    await setPolicy(one, { sticky: { header: "x-customer" }, weights: { "users-a": 50, "users-b": 50 } });
    const placed = new Map<string, string>();
    for (let customer = 0; customer < 100; customer++) {
      for (const gateway of [one, two]) {
        const tally = await pings(gateway, 5, deployments, { "x-customer": `customer-${customer}` }, 1);
        assert.equal(tally.size, 1, `customer-${customer} met ${[...tally.keys()].join(" and ")} on ${gateway.url}`);
        const [deployment] = tally.keys();
        assert.equal(placed.get(`customer-${customer}`) ?? deployment, deployment, `customer-${customer} moved between replicas`);
        placed.set(`customer-${customer}`, deployment!);
      }
    }
    const onA = [...placed.values()].filter((d) => d === "users-a").length;
    assert.ok(onA > 25 && onA < 75, `${onA} of 100 customers on users-a`);
  });

  it("keeps a request on one deployment by a path field", async () => {
    await setPolicy(one, { sticky: { field: "id" }, weights: { "users-a": 50, "users-b": 50 } });
    const countsOf = async () => {
      const stats = new Map<string, number>();
      for await (const reply of await stack.nc.requestMany("$SRV.STATS.users", undefined, { maxWait: 300 })) {
        for (const e of reply.json<{ endpoints: { name: string; num_requests: number }[] }>().endpoints) {
          if (e.name.startsWith("GetUser-")) stats.set(e.name, (stats.get(e.name) ?? 0) + e.num_requests);
        }
      }
      return stats;
    };
    for (const id of ["alpha", "bravo", "charlie", "delta"]) {
      const before = await countsOf();
      for (const gateway of [one, two]) {
        for (let i = 0; i < 10; i++) assert.equal((await call(`${gateway.url}/users/${id}`, "GET")).status, 404);
      }
      const after = await countsOf();
      const grown = [...after].filter(([name, n]) => n !== (before.get(name) ?? 0));
      assert.equal(grown.length, 1, `${id} reached ${grown.map(([name]) => name).join(" and ")}`);
      assert.equal(grown[0]![1] - (before.get(grown[0]![0]) ?? 0), 20);
    }
  });

  it("sends a deployment's share to the shared queue group while it has no instance, and shows it", async () => {
    await setPolicy(one, { weights: { "users-a": 50, "users-gone": 50 } });
    const tally = await pings(one, 200, deployments);
    assert.equal([...tally.values()].reduce((a, b) => a + b, 0), 200);
    const services = await call(`${one.url}/_/services`, "GET");
    const ping = services.body.routes.find((r: { rpc: string }) => r.rpc === `${USERS}.Ping`);
    const gone = ping.deployments.find((d: { deployment: string }) => d.deployment === "users-gone");
    assert.ok(gone.fallbacks > 50, JSON.stringify(gone));
    assert.equal(gone.instances, 0);
    assert.equal(gone.weight, 50);
  });

  it("serves as before once the policy is removed", async () => {
    assert.equal((await call(`${one.url}/_/traffic/${USERS}`, "DELETE")).status, 200);
    await sleep(200);
    const tally = await pings(two, 400, deployments);
    assert.ok((tally.get("users-a") ?? 0) > 100 && (tally.get("users-b") ?? 0) > 100, JSON.stringify([...tally]));
  });
});
