import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JSON_TYPE, startStack, type Stack } from "./stack.js";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every route of inventory.v1.InventoryService, through the gateway, on a real nats-server. */
describe("inventory routes through the gateway", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  const widget = {
    sku: "WID-001",
    displayName: "Blue widget",
    quantity: "25",
    reorderPoint: "10",
    tags: ["blue", "fragile"],
    location: { aisle: "A3", shelf: 2, bin: "07" },
  };

  async function createItem(warehouse: string, id: string, item: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await stack.call("POST", `/v1/warehouses/${warehouse}/items?itemId=${id}`, item);
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  it("POST /v1/{parent=warehouses/*}/items creates an item: the body is `item`, item_id from the query", async () => {
    const res = await stack.call("POST", "/v1/warehouses/berlin/items?itemId=widget", widget);
    assert.equal(res.status, 201, res.text);
    // The service sets the status and Location through its reply headers.
    assert.equal(res.location, "/v1/warehouses/berlin/items/widget");
    assert.equal(res.contentType, JSON_TYPE);
    const item = res.body;
    // response_body: "item": the Item itself, not {item: ...}.
    assert.equal(item.name, "warehouses/berlin/items/widget");
    assert.equal(item.sku, "WID-001");
    assert.equal(item.displayName, "Blue widget");
    // int64 as JSON strings, enums by name, Timestamps as RFC 3339, nested and repeated fields.
    assert.equal(item.quantity, "25");
    assert.equal(item.reorderPoint, "10");
    assert.equal(item.version, "1");
    assert.equal(item.stockStatus, "STOCK_STATUS_IN_STOCK");
    assert.deepEqual(item.tags, ["blue", "fragile"]);
    assert.deepEqual(item.location, { aisle: "A3", shelf: 2, bin: "07" });
    assert.match(item.createTime, RFC3339);
    assert.equal(item.updateTime, item.createTime);
  });

  it("takes proto field names and JSON numbers for int64 as well, and item_id by its proto name", async () => {
    const res = await stack.call("POST", "/v1/warehouses/berlin/items?item_id=gadget", {
      sku: "GAD-7",
      display_name: "Gadget",
      quantity: 0,
      reorder_point: 4,
      location: { aisle: "B1" },
    });
    assert.equal(res.status, 201, res.text);
    const item = res.body;
    assert.equal(item.name, "warehouses/berlin/items/gadget");
    assert.equal(item.displayName, "Gadget");
    assert.equal(item.quantity, undefined, "0 is the default: proto3 JSON leaves it out");
    assert.equal(item.reorderPoint, "4");
    assert.equal(item.stockStatus, "STOCK_STATUS_OUT_OF_STOCK");
    assert.equal(item.tags, undefined);
    assert.deepEqual(item.location, { aisle: "B1" });
  });

  it("GET /v1/{name=warehouses/*/items/*} binds a multi-segment name and answers the item", async () => {
    const res = await stack.call("GET", "/v1/warehouses/berlin/items/widget");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, "warehouses/berlin/items/widget");
    assert.equal(res.body.quantity, "25");
    assert.deepEqual(res.body.location, { aisle: "A3", shelf: 2, bin: "07" });
  });

  it("PATCH /v1/{item.name=warehouses/*/items/*} binds the nested item.name; the body's fields are the mask", async () => {
    const res = await stack.call("PATCH", "/v1/warehouses/berlin/items/widget", {
      displayName: "Navy widget",
      reorder_point: 30,
    });
    assert.equal(res.status, 200, res.text);
    const item = res.body;
    assert.equal(item.name, "warehouses/berlin/items/widget");
    assert.equal(item.displayName, "Navy widget");
    assert.equal(item.reorderPoint, "30");
    // 25 on hand, reorder at 30: low stock now.
    assert.equal(item.stockStatus, "STOCK_STATUS_LOW_STOCK");
    assert.equal(item.version, "2");
    // Fields not in the body are kept.
    assert.equal(item.sku, "WID-001");
    assert.deepEqual(item.tags, ["blue", "fragile"]);
    assert.deepEqual(item.location, { aisle: "A3", shelf: 2, bin: "07" });
    assert.ok(Date.parse(item.updateTime) >= Date.parse(item.createTime));
  });

  it("PATCH with ?updateMask= changes only the masked fields; a masked, absent location is cleared", async () => {
    const res = await stack.call("PATCH", "/v1/warehouses/berlin/items/widget?updateMask=tags,location", {
      displayName: "not changed",
      tags: ["navy"],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.displayName, "Navy widget");
    assert.deepEqual(res.body.tags, ["navy"]);
    assert.equal(res.body.location, undefined);
    assert.equal(res.body.version, "3");
  });

  it("PATCH ignores output-only fields sent back with the item, and the path's name wins over the body's", async () => {
    const read = (await stack.call("GET", "/v1/warehouses/berlin/items/widget")).body;
    const { quantity: _quantity, ...rest } = read;
    const res = await stack.call("PATCH", "/v1/warehouses/berlin/items/widget", {
      ...rest,
      name: "warehouses/elsewhere/items/other",
      displayName: "Widget, navy",
      version: "99",
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, "warehouses/berlin/items/widget");
    assert.equal(res.body.displayName, "Widget, navy");
    assert.equal(res.body.version, "4");
    assert.equal(res.body.createTime, read.createTime);
  });

  it("POST /v1/{name=warehouses/*/items/*}:adjustStock (custom verb, body \"*\") moves the stock", async () => {
    const res = await stack.call("POST", "/v1/warehouses/berlin/items/widget:adjustStock", {
      delta: "-20",
      reason: "ADJUSTMENT_REASON_SHIPPED",
      note: "order 1042",
    });
    assert.equal(res.status, 200, res.text);
    // No response_body: the whole AdjustStockResponse.
    assert.equal(res.body.previousQuantity, "25");
    assert.equal(res.body.item.quantity, "5");
    assert.equal(res.body.item.stockStatus, "STOCK_STATUS_LOW_STOCK");
    assert.equal(res.body.item.version, "5");
  });

  it("adjustStock takes an int64 as a JSON number, an enum by number, and checks expectedVersion", async () => {
    const res = await stack.call("POST", "/v1/warehouses/berlin/items/widget:adjustStock", {
      delta: -5,
      reason: 2,
      expected_version: "5",
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.previousQuantity, "5");
    assert.equal(res.body.item.quantity, undefined, "0 is the default: proto3 JSON leaves it out");
    assert.equal(res.body.item.stockStatus, "STOCK_STATUS_OUT_OF_STOCK");

    const stale = await stack.call("POST", "/v1/warehouses/berlin/items/widget:adjustStock", {
      delta: "1",
      reason: "ADJUSTMENT_REASON_RECEIVED",
      expectedVersion: "5",
    });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.body.code, "ABORTED");
    assert.equal(stale.body.field, "expected_version");
  });

  it("handles int64 values beyond 2^53 exactly", async () => {
    await createItem("berlin", "bulk", { sku: "BULK-1", displayName: "Bulk", quantity: "900000000000" });
    const res = await stack.call("POST", "/v1/warehouses/berlin/items/bulk:adjustStock", {
      delta: "999999999",
      reason: "ADJUSTMENT_REASON_RECEIVED",
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.item.quantity, "900999999999");
    const big = await createItem("berlin", "bigger", {
      sku: "BULK-2",
      displayName: "Bigger",
      quantity: "1000000000000",
      reorderPoint: "999999999999",
    });
    assert.equal(big.quantity, "1000000000000");
    assert.equal(big.reorderPoint, "999999999999");
  });

  describe("listing", () => {
    before(async () => {
      // paris: p1 in stock, p2 low, p3 out; tokyo: t1 in stock with the tag "cold".
      await createItem("paris", "p1", { sku: "P-1", displayName: "One", quantity: "50", tags: ["cold"] });
      await createItem("paris", "p2", { sku: "P-2", displayName: "Two", quantity: "3", reorderPoint: "5" });
      await createItem("paris", "p3", { sku: "P-3", displayName: "Three" });
      await createItem("tokyo", "t1", { sku: "T-1", displayName: "Tokyo one", quantity: "8", tags: ["cold", "fragile"] });
    });

    const names = (body: { items?: { name: string }[] }): string[] => (body.items ?? []).map((i) => i.name);

    it("GET /v1/{parent=warehouses/*}/items lists one warehouse by name", async () => {
      const res = await stack.call("GET", "/v1/warehouses/paris/items");
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(names(res.body), ["warehouses/paris/items/p1", "warehouses/paris/items/p2", "warehouses/paris/items/p3"]);
      assert.equal(res.body.nextPageToken, undefined);
    });

    it("pages with pageSize and pageToken from the query", async () => {
      const first = await stack.call("GET", "/v1/warehouses/paris/items?pageSize=2");
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(names(first.body), ["warehouses/paris/items/p1", "warehouses/paris/items/p2"]);
      assert.equal(typeof first.body.nextPageToken, "string");
      const second = await stack.call("GET", `/v1/warehouses/paris/items?page_size=2&page_token=${first.body.nextPageToken}`);
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(names(second.body), ["warehouses/paris/items/p3"]);
      assert.equal(second.body.nextPageToken, undefined);
    });

    it("GET /v1/items (the additional binding) lists every warehouse", async () => {
      const res = await stack.call("GET", "/v1/items?pageSize=100");
      assert.equal(res.status, 200, res.text);
      const all = names(res.body);
      assert.deepEqual(all, [...all].sort());
      for (const name of ["warehouses/berlin/items/widget", "warehouses/paris/items/p2", "warehouses/tokyo/items/t1"]) {
        assert.ok(all.includes(name), `${name} in ${all.join(", ")}`);
      }
      assert.ok(all.every((n) => /^warehouses\/(berlin|paris|tokyo)\/items\//.test(n)));
    });

    it("GET /v1/items pages across warehouses, and takes parent from the query since it binds none", async () => {
      const seen: string[] = [];
      let token = "";
      for (let page = 0; page < 20; page++) {
        const res = await stack.call("GET", `/v1/items?pageSize=3${token === "" ? "" : `&pageToken=${token}`}`);
        assert.equal(res.status, 200, res.text);
        seen.push(...names(res.body));
        token = res.body.nextPageToken ?? "";
        if (token === "") break;
      }
      const all = names((await stack.call("GET", "/v1/items?pageSize=100")).body);
      assert.deepEqual(seen, all);

      const tokyo = await stack.call("GET", "/v1/items?parent=warehouses/tokyo");
      assert.equal(tokyo.status, 200, tokyo.text);
      assert.deepEqual(names(tokyo.body), ["warehouses/tokyo/items/t1"]);
    });

    it("filters by a repeated enum in the query (filter.stockStatuses=...&filter.stockStatuses=...)", async () => {
      const res = await stack.call(
        "GET",
        "/v1/warehouses/paris/items?filter.stockStatuses=STOCK_STATUS_LOW_STOCK&filter.stockStatuses=STOCK_STATUS_OUT_OF_STOCK",
      );
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(names(res.body), ["warehouses/paris/items/p2", "warehouses/paris/items/p3"]);
      assert.deepEqual(
        res.body.items.map((i: { stockStatus: string }) => i.stockStatus),
        ["STOCK_STATUS_LOW_STOCK", "STOCK_STATUS_OUT_OF_STOCK"],
      );
      const one = await stack.call("GET", "/v1/warehouses/paris/items?filter.stock_statuses=STOCK_STATUS_OUT_OF_STOCK");
      assert.deepEqual(names(one.body), ["warehouses/paris/items/p3"]);
    });

    it("takes an enum by number in the query, as in a JSON body", async () => {
      const res = await stack.call("GET", "/v1/warehouses/paris/items?filter.stockStatuses=3");
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(names(res.body), ["warehouses/paris/items/p3"]);
    });

    it("takes a FieldMask in the query in proto form as well as lowerCamel", async () => {
      const res = await stack.call("GET", "/v1/warehouses/paris/items/p3");
      assert.equal(res.status, 200, res.text);
      const patched = await stack.call("PATCH", "/v1/warehouses/paris/items/p3?update_mask=display_name", {
        displayName: "Renamed",
        tags: ["ignored"],
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.displayName, "Renamed");
      assert.deepEqual(patched.body.tags ?? [], res.body.tags ?? []);
    });

    it("filters by a nested string and a Timestamp in the query, across warehouses", async () => {
      const cold = await stack.call("GET", "/v1/items?filter.tag=cold");
      assert.equal(cold.status, 200, cold.text);
      assert.deepEqual(names(cold.body), ["warehouses/paris/items/p1", "warehouses/tokyo/items/t1"]);

      const t1 = (await stack.call("GET", "/v1/warehouses/tokyo/items/t1")).body;
      const before = new Date(Date.parse(t1.updateTime) - 1).toISOString();
      const res = await stack.call("GET", `/v1/items?filter.tag=cold&filter.updatedAfter=${before}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(names(res.body), ["warehouses/tokyo/items/t1"]);
      const none = await stack.call("GET", `/v1/items?filter.updatedAfter=${encodeURIComponent(t1.updateTime)}&filter.tag=cold`);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(names(none.body), []);
    });

    it("pages through a filtered listing without empty pages", async () => {
      const first = await stack.call("GET", "/v1/items?filter.tag=cold&pageSize=1");
      assert.deepEqual(names(first.body), ["warehouses/paris/items/p1"]);
      const second = await stack.call("GET", `/v1/items?filter.tag=cold&pageSize=1&pageToken=${first.body.nextPageToken}`);
      assert.deepEqual(names(second.body), ["warehouses/tokyo/items/t1"]);
      assert.equal(second.body.nextPageToken, undefined);
    });

    it("answers an empty warehouse with {}", async () => {
      const res = await stack.call("GET", "/v1/warehouses/nowhere/items");
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, {});
    });
  });

  describe("deleting", () => {
    it("DELETE /v1/{name=warehouses/*/items/*} refuses an item with stock unless ?force=true", async () => {
      await createItem("oslo", "stocked", { sku: "S-1", displayName: "Stocked", quantity: "2" });
      const refused = await stack.call("DELETE", "/v1/warehouses/oslo/items/stocked");
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.body.code, "FAILED_PRECONDITION");
      assert.match(refused.body.detail, /still holds 2 units/);

      const forced = await stack.call("DELETE", "/v1/warehouses/oslo/items/stocked?force=true");
      assert.equal(forced.status, 200, forced.text);
      assert.deepEqual(forced.body, {});
      const gone = await stack.call("GET", "/v1/warehouses/oslo/items/stocked");
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, "NOT_FOUND");
      assert.deepEqual((await stack.call("GET", "/v1/warehouses/oslo/items")).body, {});
    });

    it("deletes an empty item without force, and the name can be used again", async () => {
      await createItem("oslo", "empty", { sku: "E-1", displayName: "Empty" });
      const res = await stack.call("DELETE", "/v1/warehouses/oslo/items/empty");
      assert.equal(res.status, 200, res.text);
      const again = await createItem("oslo", "empty", { sku: "E-2", displayName: "Empty again" });
      assert.equal(again.sku, "E-2");
      assert.equal(again.version, "1");
    });
  });
});
