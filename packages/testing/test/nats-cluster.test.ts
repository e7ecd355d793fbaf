import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { startNatsCluster } from "@switchyard/testing";

describe("startNatsCluster", () => {
  it("runs three routed nodes with JetStream on random ports; a replicated bucket survives a node's kill -9 and restart", { timeout: 60_000 }, async () => {
    await using cluster = await startNatsCluster();
    assert.equal(cluster.nodes.length, 3);
    const ports = cluster.nodes.flatMap((n) => [n.port, n.clusterPort]);
    assert.equal(new Set(ports).size, 6);
    assert.ok(!ports.includes(4222) && !ports.includes(6222));
    assert.equal(cluster.url, cluster.nodes.map((n) => n.url).join(","));

    // No credentials needed by default; every node is named in the server's INFO.
    let nc = await connect({ servers: cluster.nodes[0]!.url });
    assert.equal(nc.info?.cluster, "switchyard-test");
    assert.equal(nc.info?.connect_urls?.length, 3);
    const kv = await new Kvm(nc).create("t", { replicas: 3 });
    await kv.put("k", "v1");
    await nc.close();

    const [victim, other] = [cluster.nodes[1]!, cluster.nodes[2]!];
    await victim.kill("SIGKILL");
    assert.equal(victim.running, false);
    nc = await connect({ servers: other.url });
    const bucket = await new Kvm(nc).open("t");
    // Two of three replicas are still a quorum. If the victim led the stream, the other two elect a
    // leader first (a second or two), and until then a write finds no responder: as any client
    // does during an election, try again, within a bound.
    for (const deadline = Date.now() + 15_000; ; ) {
      try {
        await bucket.put("k", "v2");
        break;
      } catch (err) {
        if (Date.now() > deadline || !(err instanceof Error && err.name === "JetStreamNotEnabled")) throw err;
        await sleep(200);
      }
    }
    await nc.close();

    const port = victim.port;
    await victim.restart();
    assert.equal(victim.port, port);
    await cluster.waitReady();
    nc = await connect({ servers: victim.url });
    assert.equal((await (await new Kvm(nc).open("t")).get("k"))?.string(), "v2");
    await nc.close();
  });

  it("gives the system account's user what only it may do: a JetStream meta-leader step-down", { timeout: 60_000 }, async () => {
    await using cluster = await startNatsCluster();
    assert.ok(cluster.system !== undefined);
    const sys = await connect({ servers: cluster.url, user: cluster.system.user, pass: cluster.system.pass });
    const reply = await sys.request("$JS.API.META.LEADER.STEPDOWN", "", { timeout: 5_000 });
    assert.equal(reply.json<{ success?: boolean }>().success, true);
    await sys.close();
    await cluster.waitReady();
  });

  it("takes the caller's client authorization instead of anonymous access", { timeout: 60_000 }, async () => {
    await using cluster = await startNatsCluster({ extraConfig: 'authorization { users = [{ user: "a", password: "b" }] }' });
    await assert.rejects(connect({ servers: cluster.nodes[0]!.url, reconnect: false }), /Authorization/);
    const nc = await connect({ servers: cluster.nodes[0]!.url, user: "a", pass: "b" });
    assert.equal(nc.info?.jetstream, true);
    await nc.close();
    assert.equal(cluster.system, undefined);
  });

  it("stops every node of a 2-node cluster", { timeout: 60_000 }, async () => {
    const cluster = await startNatsCluster({ size: 2 });
    const pids = cluster.nodes.map((n) => n.pid);
    await cluster.stop();
    assert.ok(cluster.nodes.every((n) => !n.running));
    assert.ok(pids.every((pid) => !existsSync(`/proc/${pid}`)));
  });
});
