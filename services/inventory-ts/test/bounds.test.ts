import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import {
  AdjustStockRequestSchema,
  CreateItemRequestSchema,
  CreateItemResponseSchema,
  DeleteItemRequestSchema,
  GetItemRequestSchema,
  GetItemResponseSchema,
  ListItemsRequestSchema,
  UpdateItemRequestSchema,
} from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { startInventoryService } from "../src/index.js";

const quiet = { info: () => undefined, error: () => undefined };
/** Longer than nats-server's control line (4,096 bytes) once it is part of a KV subject. */
const LONG = "a".repeat(4_100);

describe("inventory-ts over NATS: names too long for a KV key", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let service: RunningService;
  let serviceNc: NatsConnection;

  before(async () => {
    ns = await startNatsServer({ jetstream: true });
    serviceNc = await connect({ servers: ns.url });
    service = await startInventoryService(serviceNc, quiet);
    nc = await connect({ servers: ns.url });
  });
  after(async () => {
    await service.stop();
    await serviceNc.close();
    await nc.close();
    await ns.stop();
  });

  function call<I extends DescMessage>(rpc: string, schema: I, message: MessageInitShape<I>): Promise<Msg> {
    return nc.request(`inventory.v1.InventoryService.${rpc}`, toBinary(schema, create(schema, message)), { timeout: 5_000 });
  }

  const cases: [string, () => Promise<Msg>, string][] = [
    ["CreateItem parent", () => call("CreateItem", CreateItemRequestSchema, { parent: `warehouses/${LONG}`, itemId: "x" }), "parent"],
    ["CreateItem item_id", () => call("CreateItem", CreateItemRequestSchema, { parent: "warehouses/w", itemId: LONG }), "item_id"],
    ["GetItem name", () => call("GetItem", GetItemRequestSchema, { name: `warehouses/w/items/${LONG}` }), "name"],
    ["ListItems parent", () => call("ListItems", ListItemsRequestSchema, { parent: `warehouses/${LONG}` }), "parent"],
    ["ListItems page_token", () => call("ListItems", ListItemsRequestSchema, { pageToken: LONG }), "page_token"],
    ["UpdateItem item.name", () => call("UpdateItem", UpdateItemRequestSchema, { item: { name: `warehouses/${LONG}/items/x`, displayName: "X" } }), "item.name"],
    ["DeleteItem name", () => call("DeleteItem", DeleteItemRequestSchema, { name: `warehouses/w/items/${LONG}` }), "name"],
    ["AdjustStock name", () => call("AdjustStock", AdjustStockRequestSchema, { name: `warehouses/w/items/${LONG}`, delta: 1n, reason: 1 }), "name"],
  ];

  for (const [what, send, field] of cases) {
    it(`${what} of 4,100 characters: INVALID_ARGUMENT on ${field}, and the instance keeps serving`, async () => {
      const reply = await send();
      assert.equal(reply.headers?.get(Headers.errorReason), "INVALID_ARGUMENT");
      assert.equal(reply.headers?.get(Headers.errorField), field);
      assert.ok((reply.headers?.get(Headers.serviceError) ?? "").length < 200, "the description does not quote the value");
      const created = await call("CreateItem", CreateItemRequestSchema, {
        parent: "warehouses/w",
        itemId: `after-${field.replace(/[._]/g, "-")}-${what.split(" ")[0]!.toLowerCase()}`,
        item: { sku: "S-1", displayName: "After" },
      });
      const name = fromBinary(CreateItemResponseSchema, created.data).item?.name ?? "";
      assert.equal(created.headers?.get(Headers.errorReason) || undefined, undefined, created.headers?.get(Headers.serviceError));
      const read = await call("GetItem", GetItemRequestSchema, { name });
      assert.equal(fromBinary(GetItemResponseSchema, read.data).item?.displayName, "After");
      assert.equal(serviceNc.isClosed(), false, "the service's connection is still open");
    });
  }
});
