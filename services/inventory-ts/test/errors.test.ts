import assert from "node:assert/strict";
import type { HTTPMethods } from "fastify";
import { after, before, describe, it } from "node:test";
import { PROBLEM, startStack, type Stack } from "./stack.js";

interface ErrorCase {
  name: string;
  method: HTTPMethods;
  url: string;
  payload?: unknown;
  status: number;
  code: string;
  field?: string;
  detail?: RegExp;
}

const ITEM = "/v1/warehouses/lyon/items/bolt";
const adjust = (body: Record<string, unknown>): Pick<ErrorCase, "method" | "url" | "payload"> => ({
  method: "POST",
  url: `${ITEM}:adjustStock`,
  payload: { delta: "1", reason: "ADJUSTMENT_REASON_RECEIVED", ...body },
});
const createBolt = (item: Record<string, unknown>, url = "/v1/warehouses/lyon/items?itemId=nut"): Pick<
  ErrorCase,
  "method" | "url" | "payload"
> => ({ method: "POST", url, payload: { sku: "NUT-1", displayName: "Nut", ...item } });

/** Every error leaves as application/problem+json with a stable code and, when one is at fault, the field. */
const cases: ErrorCase[] = [
  // The service's validation: INVALID_ARGUMENT with proto field paths of the request message.
  { name: "an invalid warehouse id", ...createBolt({}, "/v1/warehouses/Lyon/items?itemId=nut"), status: 400, code: "INVALID_ARGUMENT", field: "parent" },
  { name: "a missing item_id", ...createBolt({}, "/v1/warehouses/lyon/items"), status: 400, code: "INVALID_ARGUMENT", field: "item_id" },
  { name: "an invalid item_id", ...createBolt({}, "/v1/warehouses/lyon/items?itemId=-x"), status: 400, code: "INVALID_ARGUMENT", field: "item_id" },
  { name: "a missing sku", ...createBolt({ sku: "" }), status: 400, code: "INVALID_ARGUMENT", field: "item.sku" },
  { name: "a lowercase sku", ...createBolt({ sku: "nut-1" }), status: 400, code: "INVALID_ARGUMENT", field: "item.sku" },
  { name: "a blank display name", ...createBolt({ displayName: "  " }), status: 400, code: "INVALID_ARGUMENT", field: "item.display_name" },
  { name: "a negative opening quantity", ...createBolt({ quantity: "-1" }), status: 400, code: "INVALID_ARGUMENT", field: "item.quantity" },
  { name: "a negative reorder point", ...createBolt({ reorderPoint: -3 }), status: 400, code: "INVALID_ARGUMENT", field: "item.reorder_point" },
  { name: "a duplicate tag", ...createBolt({ tags: ["a", "a"] }), status: 400, code: "INVALID_ARGUMENT", field: "item.tags" },
  { name: "a location without aisle", ...createBolt({ location: { shelf: 1 } }), status: 400, code: "INVALID_ARGUMENT", field: "item.location.aisle" },
  { name: "a shelf out of range", ...createBolt({ location: { aisle: "A", shelf: 100 } }), status: 400, code: "INVALID_ARGUMENT", field: "item.location.shelf" },
  { name: "an item id that is not an id", method: "GET", url: "/v1/warehouses/lyon/items/Bolt%20X", status: 400, code: "INVALID_ARGUMENT", field: "name" },
  { name: "a page size above 100", method: "GET", url: "/v1/items?pageSize=101", status: 400, code: "INVALID_ARGUMENT", field: "page_size" },
  { name: "a page token not of ours", method: "GET", url: "/v1/items?pageToken=bm9wZQ", status: 400, code: "INVALID_ARGUMENT", field: "page_token" },
  { name: "a parent in the query that is not a warehouse", method: "GET", url: "/v1/items?parent=shelves/1", status: 400, code: "INVALID_ARGUMENT", field: "parent" },
  { name: "an unspecified status in the filter", method: "GET", url: "/v1/items?filter.stockStatuses=STOCK_STATUS_UNSPECIFIED", status: 400, code: "INVALID_ARGUMENT", field: "filter.stock_statuses" },
  { name: "an update of quantity", method: "PATCH", url: ITEM, payload: { quantity: "100" }, status: 400, code: "INVALID_ARGUMENT", field: "update_mask", detail: /AdjustStock/ },
  { name: "an update mask naming no field of Item", method: "PATCH", url: `${ITEM}?updateMask=colour`, payload: {}, status: 400, code: "INVALID_ARGUMENT", field: "update_mask" },
  { name: "an update making the display name blank", method: "PATCH", url: ITEM, payload: { displayName: "" }, status: 400, code: "INVALID_ARGUMENT", field: "item.display_name" },
  { name: "an adjustment of 0", ...adjust({ delta: "0" }), status: 400, code: "INVALID_ARGUMENT", field: "delta" },
  { name: "an adjustment without reason", ...adjust({ reason: undefined }), status: 400, code: "INVALID_ARGUMENT", field: "reason" },
  { name: "an adjustment with an enum number not in the enum", ...adjust({ reason: 42 }), status: 400, code: "INVALID_ARGUMENT", field: "reason" },
  { name: "an adjustment over the limit", ...adjust({ delta: "1000000001" }), status: 400, code: "INVALID_ARGUMENT", field: "delta" },
  { name: "a note too long", ...adjust({ note: "x".repeat(201) }), status: 400, code: "INVALID_ARGUMENT", field: "note" },

  // The service's state.
  { name: "an item that exists already", ...createBolt({}, "/v1/warehouses/lyon/items?itemId=bolt"), status: 409, code: "ALREADY_EXISTS", field: "item_id" },
  { name: "an unknown item (get)", method: "GET", url: "/v1/warehouses/lyon/items/none", status: 404, code: "NOT_FOUND", detail: /warehouses\/lyon\/items\/none not found/ },
  { name: "an unknown item (update)", method: "PATCH", url: "/v1/warehouses/lyon/items/none", payload: { displayName: "X" }, status: 404, code: "NOT_FOUND" },
  { name: "an unknown item (adjust)", method: "POST", url: "/v1/warehouses/lyon/items/none:adjustStock", payload: { delta: "1", reason: "ADJUSTMENT_REASON_RECEIVED" }, status: 404, code: "NOT_FOUND" },
  { name: "an unknown item (delete)", method: "DELETE", url: "/v1/warehouses/lyon/items/none", status: 404, code: "NOT_FOUND" },
  { name: "stock going negative", ...adjust({ delta: "-11", reason: "ADJUSTMENT_REASON_SHIPPED" }), status: 400, code: "FAILED_PRECONDITION", field: "delta", detail: /insufficient stock: 10 on hand, cannot remove 11/ },
  { name: "a stale expected version", ...adjust({ expectedVersion: "7" }), status: 409, code: "ABORTED", field: "expected_version" },
  { name: "deleting an item with stock", method: "DELETE", url: ITEM, status: 400, code: "FAILED_PRECONDITION" },

  // The gateway's transcoding, with JSON and query names resolved against the inventory contract.
  { name: "an int64 that is not a number", ...adjust({ delta: "many" }), status: 400, code: "INVALID_FIELD", field: "delta" },
  { name: "an unknown enum name", ...adjust({ reason: "ADJUSTMENT_REASON_STOLEN" }), status: 400, code: "INVALID_FIELD", field: "reason" },
  { name: "a wrongly typed nested field", ...createBolt({ location: { aisle: "A", shelf: "top" } }), status: 400, code: "INVALID_FIELD", field: "item.location.shelf" },
  { name: "an unknown body field", ...createBolt({ colour: "red" }), status: 400, code: "INVALID_FIELD", field: "item.colour" },
  { name: "a repeated field given a string", ...createBolt({ tags: "a" }), status: 400, code: "INVALID_FIELD", field: "item.tags" },
  { name: "an unknown query parameter", method: "GET", url: `${ITEM}?verbose=1`, status: 400, code: "INVALID_FIELD", field: "verbose" },
  { name: "an unknown enum name in the query", method: "GET", url: "/v1/items?filter.stockStatuses=PLENTY", status: 400, code: "INVALID_FIELD", field: "filter.stock_statuses" },
  { name: "a Timestamp in the query that is not one", method: "GET", url: "/v1/items?filter.updatedAfter=yesterday", status: 400, code: "INVALID_FIELD", field: "filter.updated_after" },
  { name: "a page size that is not a number", method: "GET", url: "/v1/items?pageSize=ten", status: 400, code: "INVALID_FIELD", field: "page_size" },
  { name: "a query parameter the path binds", method: "GET", url: "/v1/warehouses/lyon/items?parent=warehouses/x", status: 400, code: "INVALID_FIELD", field: "parent" },
  { name: "a body field in the query of a body \"*\" route", method: "POST", url: `${ITEM}:adjustStock?note=x`, payload: { delta: "1", reason: 1 }, status: 400, code: "INVALID_FIELD", field: "note" },
  { name: "a path without route", method: "GET", url: "/v1/warehouses/lyon", status: 404, code: "ROUTE_NOT_FOUND" },
  { name: "an unknown custom verb", method: "POST", url: `${ITEM}:explode`, payload: {}, status: 405, code: "METHOD_NOT_ALLOWED" },
  { name: "a method the item path does not take", method: "PUT", url: ITEM, payload: {}, status: 405, code: "METHOD_NOT_ALLOWED" },
];

describe("inventory errors through the gateway", () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
    const created = await stack.call("POST", "/v1/warehouses/lyon/items?itemId=bolt", {
      sku: "BOLT-1",
      displayName: "Bolt",
      quantity: "10",
    });
    assert.equal(created.status, 201, created.text);
  });
  after(async () => {
    await stack.close();
  });

  for (const c of cases) {
    it(`answers ${c.name} with ${c.status} ${c.code}${c.field === undefined ? "" : ` (${c.field})`}`, async () => {
      const res = await stack.call(c.method, c.url, c.payload);
      assert.equal(res.status, c.status, res.text);
      assert.equal(res.contentType, PROBLEM);
      assert.equal(res.body.status, c.status);
      assert.equal(res.body.code, c.code, res.text);
      assert.equal(res.body.field, c.field, res.text);
      assert.equal(typeof res.body.title, "string");
      assert.equal(typeof res.body.detail, "string");
      assert.equal(typeof res.body.requestId, "string");
      if (c.detail !== undefined) assert.match(res.body.detail, c.detail);
    });
  }

  it("leaves the item as it was after all of that", async () => {
    const res = await stack.call("GET", ITEM);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.quantity, "10");
    assert.equal(res.body.displayName, "Bolt");
    assert.equal(res.body.version, "1");
  });

  it("lists the methods the item path takes on a 405", async () => {
    const res = await stack.app.inject({ method: "PUT", url: ITEM, payload: {} });
    assert.equal(res.statusCode, 405);
    assert.deepEqual(String(res.headers["allow"]).split(", ").sort(), ["DELETE", "GET", "PATCH"]);
  });
});
