import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { OpenApiDocument, ParameterObject } from "@switchyard/gateway";
import { startInventoryService } from "@switchyard/inventory-ts";
import type { RunningService } from "@switchyard/service";
import { startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

/*
 * The inventory contract's routes are all `{parent=warehouses/*}` or `{name=warehouses/*\/items/*}`.
 * Requests built from /openapi.json as a generic client builds them (each path parameter
 * percent-encoded into its place) must reach the real service through the unchanged route table.
 */
describe("requests built from /openapi.json reach the inventory service", () => {
  let stack: Stack;
  let service: RunningService;
  let origin: string;
  let doc: OpenApiDocument;

  before(async () => {
    stack = await startStack();
    service = await startInventoryService(stack.nc, quiet);
    origin = await stack.app.listen({ host: "127.0.0.1", port: 0 });
    doc = (await (await fetch(`${origin}/openapi.json`)).json()) as OpenApiDocument;
  });
  after(async () => {
    await service?.stop();
    await stack?.close();
  });

  /** The documented path and method of an operation, its path parameters filled in and encoded. */
  function request(operationId: string, values: Record<string, string>): { method: string; url: string } {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.operationId !== operationId) continue;
        const names = (operation.parameters ?? []).filter((p): p is ParameterObject => "in" in p && p.in === "path").map((p) => p.name);
        assert.deepEqual(names.sort(), Object.keys(values).sort(), `${operationId}: path parameters`);
        const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
        return { method: method.toUpperCase(), url: `${origin}${filled}` };
      }
    }
    assert.fail(`${operationId} is documented`);
  }

  async function send(operationId: string, values: Record<string, string>, body?: unknown, query = ""): Promise<{ status: number; body: any }> {
    const { method, url } = request(operationId, values);
    const res = await fetch(`${url}${query}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  it("documents them expanded, one parameter per wildcard", () => {
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/"));
    assert.deepEqual(paths.sort(), [
      "/v1/items",
      "/v1/warehouses/{warehouse}/items",
      "/v1/warehouses/{warehouse}/items/{item}",
      "/v1/warehouses/{warehouse}/items/{item}:adjustStock",
    ]);
  });

  it("creates, reads, lists, updates, adjusts and deletes an item through the documented paths", async () => {
    const bolt = { warehouse: "lyon", item: "bolt" };
    const created = await send("InventoryService_CreateItem", { warehouse: "lyon" }, { sku: "BOLT-8", displayName: "Bolt M8", quantity: "5" }, "?item_id=bolt");
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, "warehouses/lyon/items/bolt");

    const read = await send("InventoryService_GetItem", bolt);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.displayName, "Bolt M8");

    const listed = await send("InventoryService_ListItems", { warehouse: "lyon" });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.deepEqual(listed.body.items.map((i: { name: string }) => i.name), ["warehouses/lyon/items/bolt"]);
    const elsewhere = await send("InventoryService_ListItems", { warehouse: "oslo" });
    assert.deepEqual(elsewhere.body.items ?? [], [], "the warehouse parameter fills parent");

    const updated = await send("InventoryService_UpdateItem", bolt, { displayName: "Bolt M8, zinc" });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.displayName, "Bolt M8, zinc");

    const adjusted = await send("InventoryService_AdjustStock", bolt, { delta: "-2", reason: "ADJUSTMENT_REASON_SHIPPED" });
    assert.equal(adjusted.status, 200, JSON.stringify(adjusted.body));
    assert.equal(adjusted.body.item.quantity, "3");

    const deleted = await send("InventoryService_DeleteItem", bolt, undefined, "?force=true");
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal((await send("InventoryService_GetItem", bolt)).body.code, "NOT_FOUND");
  });
});
