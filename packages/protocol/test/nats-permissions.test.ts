import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { SWITCHYARD_ROLES, TRAFFIC_BUCKET, IDEMPOTENCY_BUCKET, writeNatsCredentials, type WrittenNatsCredentials } from "@switchyard/protocol";
import { assertBucketRefused, assertPublishRefused, assertSubscribeRefused, type NatsServer } from "@switchyard/testing";
import { startRoleServer, type RoleServer } from "./role-server.js";

// Every role's credentials against a nats-server that knows only them (writeNatsCredentials): what
// each role needs works, and each of the other things below is refused by the server.
describe("NATS credentials per role", () => {
  let server: RoleServer;
  let dir: string;
  let credentials: WrittenNatsCredentials;
  let ns: NatsServer;

  before(async () => {
    server = await startRoleServer();
    ({ dir, credentials, ns } = server);
  });

  after(async () => {
    await server?.close();
  });

  const as = (role: string): Promise<NatsConnection> => server.as(role);

  it("writes one user per role, an env file each, readable by the owner only", async () => {
    assert.deepEqual([...credentials.roles.keys()], SWITCHYARD_ROLES.map((r) => r.name));
    for (const [role, { envFile, env }] of credentials.roles) {
      assert.equal((await stat(envFile)).mode & 0o777, 0o600, envFile);
      assert.equal(env["NATS_USER"], role);
      assert.match(env["NATS_PASSWORD"] ?? "", /^[A-Za-z0-9_-]{32}$/);
      const lines = (await readFile(envFile, "utf8")).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
      assert.deepEqual(lines, Object.entries(env).map(([name, value]) => `${name}=${value}`));
    }
    assert.equal((await stat(credentials.serverConfigFile)).mode & 0o777, 0o600);
    const passwords = [...credentials.roles.values()].map((r) => r.env["NATS_PASSWORD"]);
    assert.equal(new Set(passwords).size, passwords.length);
  });

  it("makes new passwords every time, or keeps them when asked", async () => {
    const again = await writeNatsCredentials(dir, { reusePasswords: true });
    const fresh = await writeNatsCredentials(join(dir, "other"));
    for (const [role, { env }] of credentials.roles) {
      assert.equal(again.roles.get(role)?.env["NATS_PASSWORD"], env["NATS_PASSWORD"]);
      assert.notEqual(fresh.roles.get(role)?.env["NATS_PASSWORD"], env["NATS_PASSWORD"]);
    }
  });

  describe("a client without the credentials", () => {
    it("cannot connect with none", async () => {
      await assert.rejects(connect({ servers: ns.url }), { name: "AuthorizationError" });
    });

    it("cannot connect with a wrong password", async () => {
      await assert.rejects(connect({ servers: ns.url, user: "users", pass: "not-the-password" }), { name: "AuthorizationError" });
      await assert.rejects(connect({ servers: ns.url, user: "nobody", pass: "x" }), { name: "AuthorizationError" });
    });
  });

  describe("the users service", () => {
    it("serves its contract in its queue groups, on discovery and descriptors, with its bucket", async () => {
      const users = await as("users");
      const gateway = await as("gateway");
      const svc = await serveLikeTheSdk(users, "users", "users.v1.UserService", "users-ts");
      const kv = await new Kvm(jetstream(users, { timeout: 2000 })).create("users", { history: 1 });
      await kv.put("users.u1", "ada");
      assert.equal((await kv.get("users.u1"))?.string(), "ada");
      assert.deepEqual(await collect(await kv.keys("users.>")), ["users.u1"]);
      await kv.delete("users.u1");

      assert.equal((await gateway.request("users.v1.UserService.Ping", "", { timeout: 2000 })).string(), "pong");
      assert.equal((await gateway.request("switchyard.deployment.users-ts.users.v1.UserService.Ping", "", { timeout: 2000 })).string(), "pong");
      assert.equal((await gateway.request("switchyard.descriptors.d1", "", { timeout: 2000 })).string(), "descriptors");
      const infos = await collect(await new Svcm(gateway).client({ maxWait: 500, strategy: "timer" }).info());
      assert.deepEqual(infos.map((i) => i.name), ["users"]);
      const [info] = infos;
      assert.equal((await collect(await new Svcm(gateway).client({ maxWait: 500, strategy: "timer" }).ping("users", info?.id))).length, 1);
      await svc.stop();
    });

    for (const [subject, queue] of [
      ["inventory.v1.InventoryService.CreateItem", "inventory-v1-InventoryService"],
      ["inventory.v1.InventoryService.CreateItem", "users-v1-UserService"],
      ["inventory.v1.InventoryService.CreateItem", undefined],
      ["switchyard.deployment.inventory-ts.inventory.v1.InventoryService.CreateItem", "inventory-ts"],
      ["users.v1.UserService.CreateUser", undefined], // outside its queue group, a copy of every request
      ["users.v1.UserService.CreateUser", "eavesdrop"],
      ["switchyard.descriptors.d1", undefined],
      ["_INBOX.>", undefined],
      ["_INBOX_inventory.>", undefined],
      ["_INBOX_gateway.>", undefined],
      [">", undefined],
      ["$KV.inventory.>", undefined],
      ["$KV.switchyard-traffic.>", undefined],
    ] as const) {
      it(`cannot subscribe to ${subject}${queue === undefined ? "" : ` in queue ${queue}`}`, async () => {
        await assertSubscribeRefused(await as("users"), subject, queue);
      });
    }

    for (const bucket of ["inventory", TRAFFIC_BUCKET, IDEMPOTENCY_BUCKET]) {
      it(`cannot read or write the ${bucket} bucket`, async () => {
        await assertBucketRefused(await as("users"), bucket);
      });
    }

    it("cannot send requests to other services, nor forge a reply to another inbox", async () => {
      const users = await as("users");
      await assertPublishRefused(users, "inventory.v1.InventoryService.CreateItem");
      await assertPublishRefused(users, "users.v1.UserService.CreateUser");
      await assertPublishRefused(users, "_INBOX.abc.1");
      await assertPublishRefused(users, "$SRV.INFO");
    });
  });

  describe("the gateway", () => {
    it("uses its buckets: open, put, get, watch, history, delete", async () => {
      const gateway = await as("gateway");
      for (const bucket of [TRAFFIC_BUCKET, IDEMPOTENCY_BUCKET]) {
        const kv = await new Kvm(jetstream(gateway, { timeout: 2000 })).create(bucket, { history: 4 });
        const revision = await kv.put("users.v1.UserService", "{}");
        await kv.update("users.v1.UserService", "{\"policy\":1}", revision);
        assert.equal((await kv.get("users.v1.UserService"))?.string(), "{\"policy\":1}");
        assert.equal((await collect(await kv.history({ key: "users.v1.UserService" }))).length, 2);
        const watch = await kv.watch();
        for await (const entry of watch) {
          assert.equal(entry.key, "users.v1.UserService");
          break;
        }
        assert.equal((await kv.status()).values, 2);
        await kv.delete("users.v1.UserService");
      }
    });

    it("gets a service's reply stored in its idempotency bucket (allow_responses)", async () => {
      const users = await as("users");
      const gateway = await as("gateway");
      const svc = await serveLikeTheSdk(users, "users", "users.v1.UserService", "users-ts");
      const kv = await new Kvm(jetstream(gateway, { timeout: 2000 })).create(IDEMPOTENCY_BUCKET);
      // As the gateway's captureRequest does: it receives the reply on the bucket's subject, and JetStream keeps it.
      const replyTo = `$KV.${IDEMPOTENCY_BUCKET}.record.1`;
      const reply = gateway.subscribe(replyTo, { max: 1 });
      gateway.publish("users.v1.UserService.Ping", "", { reply: replyTo });
      for await (const msg of reply) assert.equal(msg.string(), "pong");
      await eventually(async () => assert.equal((await kv.get("record.1"))?.string(), "pong"));
      await svc.stop();
    });

    for (const [subject, queue] of [
      ["users.v1.UserService.CreateUser", "users-v1-UserService"],
      ["users.v1.UserService.CreateUser", undefined],
      ["switchyard.deployment.users-ts.users.v1.UserService.GetUser", "users-ts"],
      ["inventory.v1.InventoryService.CreateItem", "inventory-v1-InventoryService"],
      ["switchyard.descriptors.d1", "users-v1-UserService"],
      ["$SRV.INFO", undefined],
      ["$SRV.PING.users", undefined],
      ["_INBOX_users.>", undefined],
      ["$KV.users.>", undefined],
    ] as const) {
      it(`cannot subscribe to ${subject}${queue === undefined ? "" : ` in queue ${queue}`}`, async () => {
        await assertSubscribeRefused(await as("gateway"), subject, queue);
      });
    }

    for (const bucket of ["users", "inventory"]) {
      it(`cannot read or write the ${bucket} bucket`, async () => {
        await assertBucketRefused(await as("gateway"), bucket);
      });
    }

    it("cannot publish outside RPCs, discovery, descriptors and its buckets", async () => {
      const gateway = await as("gateway");
      await assertPublishRefused(gateway, "_INBOX_users.abc");
      await assertPublishRefused(gateway, "orders.v1.OrderService.Create");
      await assertPublishRefused(gateway, "$JS.API.STREAM.DELETE.KV_switchyard-traffic");
      await assertPublishRefused(gateway, "$JS.API.STREAM.LIST");
    });
  });

  describe("the inventory service", () => {
    it("serves its contract with its bucket", async () => {
      const inventory = await as("inventory");
      const gateway = await as("gateway");
      const svc = await serveLikeTheSdk(inventory, "inventory", "inventory.v1.InventoryService", "inventory-ts");
      const kv = await new Kvm(jetstream(inventory, { timeout: 2000 })).create("inventory", { history: 1 });
      await kv.create("items.w1.i1", "1");
      assert.equal((await gateway.request("inventory.v1.InventoryService.Ping", "", { timeout: 2000 })).string(), "pong");
      await svc.stop();
    });

    it("cannot serve the users contract nor use its bucket", async () => {
      const inventory = await as("inventory");
      await assertSubscribeRefused(inventory, "users.v1.UserService.GetUser", "users-v1-UserService");
      await assertSubscribeRefused(inventory, "switchyard.descriptors.d1", "users-v1-UserService");
      await assertBucketRefused(inventory, "users");
    });
  });
});

/** What serve() (packages/service) and the Ruby Server register: a micro service, its RPC in the contract's and the deployment's queue groups, the descriptors. */
async function serveLikeTheSdk(nc: NatsConnection, name: string, contract: string, deployment: string): Promise<{ stop(): Promise<void> }> {
  const queue = contract.replaceAll(".", "-");
  const svc = await new Svcm(nc).add({ name, version: "1.0.0", queue });
  svc.addEndpoint("Ping", { subject: `${contract}.Ping`, queue, handler: (_err, msg) => msg.respond("pong") });
  svc.addEndpoint(`Ping-${deployment}`, { subject: `switchyard.deployment.${deployment}.${contract}.Ping`, queue: deployment, handler: (_err, msg) => msg.respond("pong") });
  const descriptors = nc.subscribe("switchyard.descriptors.d1", { queue, callback: (_err, msg) => void msg.respond("descriptors") });
  await nc.flush();
  return {
    async stop() {
      await svc.stop();
      descriptors.unsubscribe();
    },
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function eventually(check: () => Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

