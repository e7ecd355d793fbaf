import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ItemSchema, StockStatus } from "@switchyard/contracts";
import type { RunningService } from "@switchyard/service";
import { startInventoryService } from "../src/index.js";
import { startStack, type Stack } from "./stack.js";

const quiet = { info: () => undefined, error: () => undefined };

describe("inventory-ts: state, instances and neighbours", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  it("keeps items in the JetStream KV bucket `inventory`, key item.<warehouse>.<item>, value the binary Item", async () => {
    const created = await stack.call("POST", "/v1/warehouses/madrid/items?itemId=crate", {
      sku: "CRATE-9",
      displayName: "Crate",
      quantity: "12",
      reorderPoint: "12",
    });
    assert.equal(created.status, 201, created.text);

    const kv = await new Kvm(stack.nc).open("inventory");
    const status = await kv.status();
    assert.equal(status.history, 1);
    const entry = await kv.get("item.madrid.crate");
    assert.ok(entry !== null && entry.operation === "PUT");
    const item = fromBinary(ItemSchema, entry.value);
    assert.equal(item.name, "warehouses/madrid/items/crate");
    assert.equal(item.quantity, 12n);
    assert.equal(item.stockStatus, StockStatus.LOW_STOCK);
    assert.equal(item.version, 1n);
  });

  it("a new instance serves what the last one stored", async () => {
    await stack.restartService();
    const res = await stack.call("GET", "/v1/warehouses/madrid/items/crate");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.sku, "CRATE-9");
  });

  it("registers as the micro service `inventory` with its contract and language", async () => {
    const reply = await stack.nc.request("$SRV.INFO.inventory", undefined, { timeout: 2000 });
    const info = reply.json<{ name: string; version: string; metadata: Record<string, string>; endpoints: { name: string; subject: string; queue_group: string }[] }>();
    assert.equal(info.name, "inventory");
    assert.equal(info.metadata["contract"], "inventory.v1");
    assert.equal(info.metadata["language"], "typescript");
    assert.equal(info.metadata["deployment"], "inventory-ts");
    const rpcs = ["AdjustStock", "CreateItem", "DeleteItem", "GetItem", "ListItems", "UpdateItem"];
    const shared = info.endpoints.filter((e) => e.queue_group === "inventory-v1-InventoryService");
    assert.deepEqual(shared.map((e) => e.subject).sort(), rpcs.map((m) => `inventory.v1.InventoryService.${m}`));
    const own = info.endpoints.filter((e) => e.queue_group === "inventory-ts");
    assert.deepEqual(own.map((e) => e.subject).sort(), rpcs.map((m) => `switchyard.deployment.inventory-ts.inventory.v1.InventoryService.${m}`));
  });

  describe("two instances in the queue group", () => {
    let nc2: NatsConnection;
    let second: RunningService;

    before(async () => {
      nc2 = await connect({ servers: stack.ns.url, noAsyncTraces: true });
      second = await startInventoryService(nc2, quiet);
    });
    after(async () => {
      await second.stop();
      await nc2.close();
    });

    it("lose no adjustment when they race on one item", async () => {
      const created = await stack.call("POST", "/v1/warehouses/madrid/items?itemId=race", {
        sku: "RACE-1",
        displayName: "Contended",
        quantity: "100",
      });
      assert.equal(created.status, 201, created.text);
      const n = 40;
      const replies = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          stack.call("POST", "/v1/warehouses/madrid/items/race:adjustStock", {
            delta: i % 2 === 0 ? "3" : "-1",
            reason: i % 2 === 0 ? "ADJUSTMENT_REASON_RECEIVED" : "ADJUSTMENT_REASON_SHIPPED",
          }),
        ),
      );
      let expected = 100;
      let applied = 0;
      for (const [i, reply] of replies.entries()) {
        if (reply.status === 200) {
          expected += i % 2 === 0 ? 3 : -1;
          applied++;
        } else {
          // The only acceptable failure: a retry budget spent on other writers.
          assert.equal(reply.status, 409, reply.text);
          assert.equal(reply.body.code, "ABORTED");
        }
      }
      assert.ok(applied >= n / 2, `only ${applied} of ${n} adjustments applied`);
      const item = (await stack.call("GET", "/v1/warehouses/madrid/items/race")).body;
      assert.equal(item.quantity, String(expected));
      assert.equal(item.version, String(1 + applied));
    });

    it("create an item exactly once when both are asked at the same time", async () => {
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stack.call("POST", "/v1/warehouses/madrid/items?itemId=once", { sku: `ONCE-${i}`, displayName: "Once" }),
        ),
      );
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, ...Array(9).fill(409)]);
    });
  });

  it("is served next to the users contract: both route tables are live, each to its own subject", async () => {
    const inventory = await stack.call("GET", "/v1/warehouses/madrid/items/crate");
    assert.equal(inventory.status, 200, inventory.text);
    // No users service runs in this stack: the gateway knows the route and says so at once.
    const users = await stack.call("GET", "/users/someone");
    assert.equal(users.status, 503, users.text);
    assert.equal(users.body.code, "NO_SERVICE");
  });

  it("answers 503 NO_SERVICE on its routes when no instance listens", async () => {
    await stack.inventory.stop();
    try {
      const res = await stack.call("GET", "/v1/warehouses/madrid/items/crate");
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.code, "NO_SERVICE");
    } finally {
      stack.inventory = await startInventoryService(stack.nc, quiet);
    }
  });
});
