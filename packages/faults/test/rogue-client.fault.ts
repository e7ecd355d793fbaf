import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { IDEMPOTENCY_BUCKET, TRAFFIC_BUCKET, natsOptionsFromEnv, writeNatsCredentials, type WrittenNatsCredentials } from "@switchyard/protocol";
import { assertBucketRefused, assertPublishRefused, assertSubscribeRefused, describeExit, freePort, startNatsServer, type NatsServer } from "@switchyard/testing";
import { httpCall, startProc, type Proc } from "../src/index.js";

const COMMANDS = {
  gateway: "exec node --import tsx packages/gateway/src/main.ts",
  "users-ts": "exec node --import tsx services/users-ts/src/main.ts",
  "users-rb": "cd services/users-rb && exec bundle exec bin/users-rb",
  "inventory-ts": "exec node --import tsx services/inventory-ts/src/main.ts",
} as const;
const ROLE = { gateway: "gateway", "users-ts": "users", "users-rb": "users", "inventory-ts": "inventory" } as const;
type ProcessName = keyof typeof COMMANDS;

/**
 * The stack of `make up` with the credentials `make up` writes (one NATS user per role, least
 * privilege), attacked by a rogue NATS client: with no credentials or a wrong password it cannot
 * connect; with a service's or the gateway's credentials it cannot take requests meant for others,
 * read replies meant for others, or read or write a bucket that is not its role's. Each attempt is
 * refused by the server, and the stack's own traffic meanwhile has no error.
 */
describe("fault: a rogue NATS client", { timeout: 240_000 }, () => {
  let dir: string;
  let credentials: WrittenNatsCredentials;
  let ns: NatsServer;
  let gatewayUrl: string;
  const procs: Proc[] = [];
  const rogues: NatsConnection[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-rogue-"));
    credentials = await writeNatsCredentials(join(dir, "nats"));
    ns = await startNatsServer({ extraConfig: await readFile(credentials.serverConfigFile, "utf8") });
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    for (const name of Object.keys(COMMANDS) as ProcessName[]) {
      procs.push(start(name, name === "gateway" ? { PORT: String(port), HOST: "127.0.0.1" } : {}));
    }
    await waitReady(`${gatewayUrl}/readyz`, 90_000, procs);
  });

  after(async () => {
    await Promise.all(rogues.map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(procs.map((p) => p.kill()));
    await ns?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** One process of the stack with its role's credentials (or `as` another role's), `env` on top; `label` names its log. */
  const start = (name: ProcessName, env: Record<string, string>, options: { as?: string; label?: string } = {}): Proc =>
    startProc({
      name: options.label ?? name,
      command: COMMANDS[name],
      env: { NATS_URL: ns.url, ...credentials.roles.get(options.as ?? ROLE[name])?.env, ...env },
      logDir: dir,
    });

  const rogue = async (role: string): Promise<NatsConnection> => {
    // The way every process reads its role's env file.
    const nc = await connect(await natsOptionsFromEnv({ ...credentials.roles.get(role)?.env, NATS_URL: ns.url }, `rogue-${role}`));
    rogues.push(nc);
    return nc;
  };

  it("cannot connect without credentials or with a wrong password", async () => {
    await assert.rejects(connect({ servers: ns.url }), { name: "AuthorizationError" });
    for (const role of ["gateway", "users", "inventory"]) {
      await assert.rejects(connect({ servers: ns.url, user: role, pass: "guessed" }), { name: "AuthorizationError" });
    }
  });

  it("with a service's credentials cannot take another's requests, read replies, or touch other buckets; the stack's traffic has no error", async () => {
    const traffic = legitimateTraffic(gatewayUrl);
    const users = await rogue("users");
    // Another contract's requests, in its queue group or in a group of its own (a copy of each).
    await assertSubscribeRefused(users, "inventory.v1.InventoryService.*", "inventory-v1-InventoryService");
    await assertSubscribeRefused(users, "inventory.v1.InventoryService.*", "rogue");
    await assertSubscribeRefused(users, "switchyard.deployment.inventory-ts.inventory.v1.InventoryService.*", "inventory-ts");
    // Its own contract outside the queue group: a copy of every request, and a second answer to race.
    await assertSubscribeRefused(users, "users.v1.UserService.>");
    // Replies to others: the gateway's inbox, another service's, everything.
    await assertSubscribeRefused(users, "_INBOX.>");
    await assertSubscribeRefused(users, "_INBOX_inventory.>");
    await assertSubscribeRefused(users, ">");
    // A forged reply to the gateway, without having received its request.
    await assertPublishRefused(users, "_INBOX.forged.1");
    for (const bucket of ["inventory", TRAFFIC_BUCKET, IDEMPOTENCY_BUCKET]) await assertBucketRefused(users, bucket);
    const inventory = await rogue("inventory");
    await assertSubscribeRefused(inventory, "users.v1.UserService.CreateUser", "users-v1-UserService");
    await assertSubscribeRefused(inventory, "_INBOX_users.>");
    await assertBucketRefused(inventory, "users");

    const results = await traffic.stop();
    assert.ok(results.total > 20, `only ${results.total} requests`);
    assert.deepEqual(results.failures, [], "the stack's own requests failed during the attack");
  });

  it("with the gateway's credentials cannot answer requests nor touch a service's bucket", async () => {
    const traffic = legitimateTraffic(gatewayUrl);
    const gateway = await rogue("gateway");
    await assertSubscribeRefused(gateway, "users.v1.UserService.CreateUser", "users-v1-UserService");
    await assertSubscribeRefused(gateway, "switchyard.deployment.users-rb.users.v1.UserService.CreateUser", "users-rb");
    await assertSubscribeRefused(gateway, "inventory.v1.InventoryService.CreateItem", "inventory-v1-InventoryService");
    await assertSubscribeRefused(gateway, "switchyard.descriptors.*", "users-v1-UserService");
    // Discovery: it may ask, never answer as a service.
    await assertSubscribeRefused(gateway, "$SRV.INFO");
    await assertSubscribeRefused(gateway, "_INBOX_users.>");
    await assertPublishRefused(gateway, "_INBOX_users.forged");
    for (const bucket of ["users", "inventory"]) await assertBucketRefused(gateway, bucket);

    const results = await traffic.stop();
    assert.ok(results.total > 20, `only ${results.total} requests`);
    assert.deepEqual(results.failures, [], "the stack's own requests failed during the attack");
  });

  it("a process given a wrong password or another role's credentials exits 1 with one line naming the cause", async () => {
    for (const name of Object.keys(COMMANDS) as ProcessName[]) {
      const proc = start(name, { NATS_PASSWORD: "wrong-password", PORT: "0" }, { label: `${name}-wrong-password` });
      const exit = await proc.waitExit(30_000);
      const lines = proc.lines().map((l) => l.text);
      assert.equal(exit.code, 1, `${name} ${describeExit(exit)}\n${proc.tail()}`);
      assert.equal(lines.length, 1, `${name} printed more than one line:\n${proc.tail()}`);
      assert.match(lines[0] ?? "", /the credentials of user \\?"\w+\\?" \(NATS_USER, NATS_PASSWORD\) were refused: Authorization Violation/);
      assert.doesNotMatch(lines[0] ?? "", /wrong-password/);
    }
    // users-ts with the inventory role: connected, but NATS refuses it the users bucket.
    const misplaced = start("users-ts", {}, { as: "inventory", label: "users-ts-as-inventory" });
    const exit = await misplaced.waitExit(30_000);
    assert.equal(exit.code, 1, misplaced.tail());
    assert.match(misplaced.tail(), /users-ts cannot start: .*Permissions Violation for Publish to \\"\$JS\.API\.STREAM\.INFO\.KV_users\\"/);
  });
});

/** POST /users, GET /users/{id} and an inventory item, one after the other, for 3 s at least and until stopped. */
function legitimateTraffic(base: string): { stop(): Promise<{ total: number; failures: string[] }> } {
  const until = Date.now() + 3000;
  let running = true;
  let total = 0;
  const failures: string[] = [];
  const loop = (async () => {
    for (let i = 0; running || Date.now() < until; i++) {
      const created = await httpCall(`${base}/users`, { method: "POST", json: { firstName: "Ada", lastName: `L${i}` }, timeoutMs: 5000 });
      const id = typeof created.body["id"] === "string" ? created.body["id"] : "";
      const got = await httpCall(`${base}/users/${id}`, { method: "GET", timeoutMs: 5000 });
      const item = await httpCall(`${base}/v1/warehouses/w1/items?itemId=i${Date.now().toString(36)}${i}`, {
        method: "POST",
        json: { sku: "B-1", displayName: "bolt" },
        timeoutMs: 5000,
      });
      for (const [what, result, expected] of [["POST /users", created, 200], ["GET /users/{id}", got, 200], ["POST item", item, 201]] as const) {
        total++;
        if (result.status !== expected) failures.push(`${what}: ${result.status ?? result.error} ${result.text.slice(0, 200)}`);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { total, failures };
    },
  };
}

async function waitReady(url: string, timeoutMs: number, procs: readonly Proc[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await httpCall(url, { method: "GET", timeoutMs: 2000 });
    if (result.status === 200) return;
    const dead = procs.find((p) => p.exit !== undefined);
    if (dead !== undefined) assert.fail(`${dead.name} ${describeExit(dead.exit)}\n${dead.tail()}`);
    if (Date.now() > deadline) assert.fail(`the stack was not ready within ${timeoutMs} ms: ${result.status} ${result.text}\n${procs.map((p) => `${p.name}:\n${p.tail(5)}`).join("\n")}`);
    await sleep(250);
  }
}

