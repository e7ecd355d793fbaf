import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildAdmin } from "@switchyard/gateway";
import { startInventoryService } from "@switchyard/inventory-ts";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { PROBLEM, startStack, testConfig, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

describe("admin endpoints", () => {
  let stack: Stack;
  const services: RunningService[] = [];

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    for (const s of services) await s.stop();
    await stack.close();
  });

  it("/healthz answers while the process is up", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: "ok" });
  });

  it("/readyz is a 503 NOT_READY naming the routes no instance serves", async () => {
    await stack.app.directory.refresh();
    const res = await stack.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "NOT_READY");
    assert.match(res.json().detail, /GET \/users\/\{id\}/);
  });

  it("/readyz is 200 once every route has a live instance", async () => {
    services.push(await startUsersService(stack.nc, quiet), await startInventoryService(stack.nc, quiet));
    await stack.app.directory.refresh();
    const res = await stack.app.inject({ method: "GET", url: "/readyz" });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: "ready" });
  });

  it("/_/services lists each route with its live instances and their counters", async () => {
    for (let i = 0; i < 3; i++) await stack.app.inject({ method: "GET", url: "/" });
    await stack.app.inject({ method: "GET", url: "/users/nobody" });
    await stack.app.directory.refresh();
    const res = await stack.app.inject({ method: "GET", url: "/_/services" });
    assert.equal(res.statusCode, 200);
    type Row = { method: string; path: string; subject: string; instances: Record<string, unknown>[] };
    const rows = res.json().routes as Row[];
    const ping = rows.find((r) => r.subject === "users.v1.UserService.Ping")!;
    assert.equal(ping.method, "GET");
    assert.equal(ping.path, "/");
    assert.equal(ping.instances.length, 1);
    const instance = ping.instances[0]!;
    assert.equal(instance["service"], "users");
    assert.equal(instance["language"], "typescript");
    assert.equal(instance["id"], services[0]!.id);
    assert.equal(instance["natsServer"], stack.nc.info?.server_name, "the nats-server it registered through");
    assert.equal(instance["requests"], 3);
    assert.equal(typeof instance["averageProcessingMs"], "number");
    const get = rows.find((r) => r.subject === "users.v1.UserService.GetUser")!;
    assert.equal(get.instances[0]!["errors"], 1);
    assert.ok(rows.some((r) => r.subject.startsWith("inventory.v1.") && r.instances.length === 1));
  });

  it("/_/routes lists every route with its RPC and subject", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/_/routes" });
    const routes = res.json().routes as { method: string; path: string; rpc: string; subject: string }[];
    assert.deepEqual(routes.find((r) => r.rpc === "users.v1.UserService.CreateUser"), {
      method: "POST",
      path: "/users",
      rpc: "users.v1.UserService.CreateUser",
      subject: "users.v1.UserService.CreateUser",
    });
    assert.equal(routes.length, stack.app.routeTable.routes.length);
  });

  it("drops an instance that left", async () => {
    await services.pop()!.stop();
    await stack.app.directory.refresh();
    await stack.app.directory.refresh();
    const res = await stack.app.inject({ method: "GET", url: "/_/services" });
    const rows = res.json().routes as { subject: string; instances: unknown[] }[];
    assert.ok(rows.filter((r) => r.subject.startsWith("inventory.v1.")).every((r) => r.instances.length === 0));
    assert.equal((await stack.app.inject({ method: "GET", url: "/readyz" })).statusCode, 503);
  });

  it("can serve the admin endpoints on a port of their own", async () => {
    const admin = buildAdmin(stack.app, { ...testConfig, adminOnMainPort: false });
    try {
      const res = await admin.inject({ method: "GET", url: "/_/routes" });
      assert.equal(res.statusCode, 200);
      assert.equal((await admin.inject({ method: "GET", url: "/users" })).statusCode, 404);
    } finally {
      await admin.close();
    }
  });
});
