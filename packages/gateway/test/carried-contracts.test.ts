import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, FieldDescriptorProto_Type } from "@bufbuild/protobuf/wkt";
import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { file_inventory_v1_inventory, file_users_v1_users, UserService } from "@switchyard/contracts";
import { buildGateway, RouteRegistry } from "@switchyard/gateway";
import { startInventoryService } from "@switchyard/inventory-ts";
import { Metadata, contractDescriptors, contractDigest, descriptorsSubject } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance } from "fastify";
import { testConfig } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

// The gateway is built with the users contract only; inventory arrives with its service.
describe("contracts carried by services", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let app: FastifyInstance;
  let inventory: RunningService | undefined;

  before(async () => {
    ns = await startNatsServer();
    nc = await connect({ servers: ns.url });
    app = buildGateway({ nc, services: [UserService], config: { ...testConfig, acceptServiceContracts: true } });
    await app.ready();
  });
  after(async () => {
    await inventory?.stop();
    await app.close();
    await nc.close();
    await ns.stop();
  });

  const listItems = () => app.inject({ method: "GET", url: "/v1/warehouses/paris/items" });
  // The same RPC at its Connect path, which every RPC of a served contract gets.
  const listItemsRpc = () =>
    app.inject({ method: "POST", url: "/inventory.v1.InventoryService/ListItems", headers: { "content-type": "application/json" }, payload: { parent: "warehouses/paris" } });

  it("does not know the inventory routes before an inventory service runs", async () => {
    await app.directory.refresh();
    assert.equal((await listItems()).statusCode, 404);
    assert.equal((await listItemsRpc()).statusCode, 404);
  });

  it("adds the routes of a contract it has never seen when a service carrying it appears", async () => {
    inventory = await startInventoryService(nc, quiet);
    await app.directory.refresh();
    const res = await listItems();
    assert.equal(res.statusCode, 200, res.body);
    const rpc = await listItemsRpc();
    assert.equal(rpc.statusCode, 200, rpc.body);
    assert.deepEqual(rpc.json(), res.json(), "the RPC path answers as the REST route does");
    const services = (await app.inject({ method: "GET", url: "/_/services" })).json();
    const row = services.routes.find((r: { subject: string }) => r.subject === "inventory.v1.InventoryService.ListItems");
    assert.equal(row.instances[0].id, inventory.id);
  });

  it("reports instances whose contracts disagree, and keeps serving the one it adopted", async () => {
    // A second "inventory" whose Item.quantity became a string: incompatible on the wire and in JSON.
    const { bytes: original } = contractDescriptors(file_inventory_v1_inventory);
    const set = fromBinary(FileDescriptorSetSchema, original);
    const main = set.file.at(-1)!;
    const item = main.messageType.find((m) => m.name === "Item")!;
    item.field.find((f) => f.name === "quantity")!.type = FieldDescriptorProto_Type.STRING;
    const changed = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, set));
    const digest = contractDigest(changed);
    nc.subscribe(descriptorsSubject(digest), { callback: (_e, msg) => void msg.respond(changed) });
    const rogue = await new Svcm(nc).add({
      name: "inventory",
      version: "2.0.0",
      metadata: { [Metadata.language]: "typescript", [Metadata.contractDigest]: digest, [Metadata.descriptors]: descriptorsSubject(digest) },
    });
    try {
      await app.directory.refresh();
      const services = (await app.inject({ method: "GET", url: "/_/services" })).json();
      assert.equal(services.conflicts.length, 1);
      assert.equal(services.conflicts[0].service, "inventory.v1.InventoryService");
      assert.match(services.conflicts[0].reason, /quantity/);
      assert.equal((await listItems()).statusCode, 200);
    } finally {
      await rogue.stop();
    }
  });

  it("removes the routes when the last instance carrying the contract leaves", async () => {
    await inventory!.stop();
    inventory = undefined;
    await app.directory.refresh();
    await app.directory.refresh();
    assert.equal((await listItems()).statusCode, 404);
    const services = (await app.inject({ method: "GET", url: "/_/services" })).json();
    assert.deepEqual(services.conflicts, []);
  });

  it("refuses a carried contract's route on a path the gateway reserves, and reports it", async () => {
    const { digest, bytes } = contractDescriptors(file_inventory_v1_inventory);
    const registry = new RouteRegistry([UserService], {}, (path) => path.startsWith("/v1/"));
    const instance = { metadata: { [Metadata.contractDigest]: digest, [Metadata.descriptors]: descriptorsSubject(digest) } };
    await registry.sync([instance as never], async () => bytes);
    assert.equal(registry.conflicts.length, 1);
    assert.equal(registry.conflicts[0]!.service, "inventory.v1.InventoryService");
    assert.match(registry.conflicts[0]!.reason, /takes a path the gateway reserves/);
    assert.ok(registry.table.routes.every((r) => !r.template.source.startsWith("/v1/")));
  });

  it("never replaces its own contracts with carried ones", () => {
    assert.ok(app.routeTable.routes.some((r) => r.method.parent.file === file_users_v1_users));
  });
});
