import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { connect, type ServerInfo } from "@nats-io/transport-node";
import { ConfigError, kvReplicas, natsOptionsFromEnv, withKvReplicas } from "@switchyard/protocol";
import { startNatsCluster, startNatsServer } from "@switchyard/testing";

/** A server INFO with only the fields kvReplicas reads. */
function info(fields: Partial<ServerInfo>): ServerInfo {
  return fields as ServerInfo;
}

describe("kvReplicas", () => {
  it("is 1 on a lone server and up to 3 on a cluster, by the servers its INFO lists", () => {
    assert.equal(kvReplicas(undefined, {}), 1);
    assert.equal(kvReplicas(info({}), {}), 1);
    assert.equal(kvReplicas(info({ cluster: "c", connect_urls: ["a:1", "b:1"] }), {}), 2);
    assert.equal(kvReplicas(info({ cluster: "c", connect_urls: ["a:1", "b:1", "c:1"] }), {}), 3);
    assert.equal(kvReplicas(info({ cluster: "c", connect_urls: ["a:1", "b:1", "c:1", "d:1", "e:1"] }), {}), 3);
    // no_advertise: the servers are not listed, and a JetStream cluster has 3 or more.
    assert.equal(kvReplicas(info({ cluster: "c" }), {}), 3);
  });

  it("takes NATS_KV_REPLICAS over what the server says, and refuses anything but 1 to 5", async () => {
    assert.equal(kvReplicas(info({}), { NATS_KV_REPLICAS: "3" }), 3);
    assert.equal(kvReplicas(info({ cluster: "c" }), { NATS_KV_REPLICAS: "1" }), 1);
    assert.equal(kvReplicas(info({}), { NATS_KV_REPLICAS: "" }), 1);
    for (const bad of ["0", "6", "three", "3.0", " 3"]) {
      assert.throws(() => kvReplicas(info({}), { NATS_KV_REPLICAS: bad }), (err: unknown) => ConfigError.is(err) && err.variable === "NATS_KV_REPLICAS");
      // Read at start-up with the other NATS settings, so a bad value stops the process there.
      await assert.rejects(natsOptionsFromEnv({ NATS_KV_REPLICAS: bad }, "x"), (err: unknown) => ConfigError.is(err) && err.variable === "NATS_KV_REPLICAS");
    }
  });
});

describe("withKvReplicas", () => {
  it("creates a bucket with 1 replica on a lone server", async () => {
    await using ns = await startNatsServer();
    const nc = await connect({ servers: ns.url });
    const kv = await withKvReplicas(nc, (replicas) => new Kvm(nc).create("single", { replicas }), {});
    assert.equal((await kv.status()).replicas, 1);
    // Set explicitly, a count the server cannot give is an error that names the setting.
    await assert.rejects(
      withKvReplicas(nc, (replicas) => new Kvm(nc).create("explicit", { replicas }), { NATS_KV_REPLICAS: "3" }),
      (err: unknown) => ConfigError.is(err) && /not clustered/.test(err.message),
    );
    await nc.close();
  });

  it("creates a bucket with 3 replicas on a 3-node cluster, from whichever node the client is on", { timeout: 60_000 }, async () => {
    await using cluster = await startNatsCluster();
    const nc = await connect({ servers: cluster.nodes[2]!.url });
    const kv = await withKvReplicas(nc, (replicas) => new Kvm(nc).create("replicated", { replicas }), {});
    assert.equal((await kv.status()).replicas, 3);
    await nc.close();
  });

  it("falls back to 1 when a server that names a cluster refuses replicas as not clustered", async () => {
    const asked: number[] = [];
    const nc = { info: info({ cluster: "c", connect_urls: ["a:1", "b:1", "c:1"] }) } as Parameters<typeof withKvReplicas>[0];
    const result = await withKvReplicas(
      nc,
      async (replicas) => {
        asked.push(replicas);
        if (replicas > 1) throw Object.assign(new Error("replicas > 1 not supported in non-clustered mode"), { code: 10074 });
        return "bucket";
      },
      {},
    );
    assert.equal(result, "bucket");
    assert.deepEqual(asked, [3, 1]);
  });
});

describe("natsOptionsFromEnv for a cluster", () => {
  it("takes a list of servers and reconnects with jitter", async () => {
    const options = await natsOptionsFromEnv({ NATS_URL: "nats://a:4222, nats://b:4223,c:4224" }, "x");
    assert.deepEqual(options.servers, ["nats://a:4222", "nats://b:4223", "c:4224"]);
    assert.equal(options.maxReconnectAttempts, -1);
    assert.ok((options.reconnectJitter ?? 0) > 0 && (options.reconnectJitterTLS ?? 0) > 0);
    // The cluster's other servers are learnt from INFO, and the list is tried in random order.
    assert.notEqual(options.ignoreClusterUpdates, true);
    assert.notEqual(options.noRandomize, true);
  });
});
