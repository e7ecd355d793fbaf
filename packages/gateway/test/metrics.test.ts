import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

/** Debian's prometheus package has it; PROMTOOL points elsewhere. */
const PROMTOOL = process.env["PROMTOOL"] ?? "promtool";

const quiet = { info: () => undefined, error: () => undefined };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The scrape, checked by Prometheus's own `promtool check metrics` (format and naming lint), then
 * read sample by sample.
 */
async function scrape(stack: Stack): Promise<{ types: Map<string, string>; samples: Sample[] }> {
  const res = await stack.app.inject({ method: "GET", url: "/metrics" });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  const check = spawnSync(PROMTOOL, ["check", "metrics"], { input: res.body, encoding: "utf8" });
  assert.equal(check.error, undefined, `promtool: ${check.error?.message} (make setup installs Debian's prometheus package)`);
  // Exit 3 is lint findings only; prom-client's own nodejs_active_*_total gauges have some. Ours have none.
  const findings = `${check.stdout}${check.stderr}`.split("\n").filter((l) => l.trim() !== "");
  const ours = findings.filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l));
  assert.ok(check.status === 0 || (check.status === 3 && ours.length === 0), `promtool check metrics (exit ${check.status}):\n${findings.join("\n")}`);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of res.body.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) types.set(type[1]!, type[2]!);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) continue;
    const labels: Record<string, string> = {};
    for (const [, name, text] of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name!] = text!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

const value = (samples: Sample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
const series = (samples: Sample[], name: string) => samples.filter((s) => s.name === name);

describe("GET /metrics", () => {
  let stack: Stack;
  let users: RunningService;
  let silent: NatsConnection;

  before(async () => {
    stack = await startStack({ requestTimeoutMs: 300 });
    // A timeout: something takes GetUser and never answers.
    silent = await connect({ servers: stack.ns.url });
    const sub = silent.subscribe("users.v1.UserService.GetUser");
    assert.equal((await stack.app.inject({ method: "GET", url: "/users/slow" })).statusCode, 504);
    sub.unsubscribe();
    await silent.flush();
    // No responders: nothing serves the inventory contract.
    assert.equal((await stack.app.inject({ method: "GET", url: "/v1/warehouses/w/items/i" })).statusCode, 503);
    users = await startUsersService(stack.nc, quiet, { deployment: "users-a" });
    for (let i = 0; i < 3; i++) {
      assert.equal((await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "M", lastName: `Etric${i}` } })).statusCode, 200);
    }
    assert.equal((await stack.app.inject({ method: "GET", url: "/users/nobody" })).statusCode, 404);
    assert.equal((await stack.app.inject({ method: "GET", url: "/no/such/route" })).statusCode, 404);
    await stack.app.directory.refresh();
  });
  after(async () => {
    await users?.stop();
    await silent?.close();
    await stack.close();
  });

  it("counts HTTP requests by method, route template and status, in seconds", async () => {
    const { types, samples } = await scrape(stack);
    assert.equal(types.get("http_server_request_duration_seconds"), "histogram");
    const count = (method: string, route: string, status: string) =>
      value(samples, "http_server_request_duration_seconds_count", { http_request_method: method, http_route: route, http_response_status_code: status });
    assert.equal(count("POST", "/users", "200"), 3);
    assert.equal(count("GET", "/users/{id}", "404"), 1);
    assert.equal(count("GET", "/users/{id}", "504"), 1);
    assert.equal(count("GET", "/v1/{name=warehouses/*/items/*}", "503"), 1);
    assert.equal(count("GET", "", "404"), 1, "a path no route matches is labelled with no route, never the raw path");
    assert.ok(!samples.some((s) => Object.values(s.labels).includes("/no/such/route")));
    const post = { http_request_method: "POST", http_route: "/users", http_response_status_code: "200" };
    assert.equal(value(samples, "http_server_request_duration_seconds_bucket", { ...post, le: "+Inf" }), 3);
    const sum = value(samples, "http_server_request_duration_seconds_sum", post)!;
    assert.ok(sum > 0 && sum < 3, `sum ${sum} s`);
  });

  it("counts requests to services by service, RPC, deployment and outcome, exactly", async () => {
    const { types, samples } = await scrape(stack);
    assert.equal(value(samples, "switchyard_gateway_retries_total", {}), 2);
    assert.ok((value(samples, "switchyard_gateway_retriable_requests_total", {}) ?? 0) >= 2);
    assert.equal(types.get("switchyard_upstream_requests_total"), "counter");
    const order = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    assert.deepEqual(
      series(samples, "switchyard_upstream_requests_total")
        .map((s) => ({ ...s.labels, value: s.value }))
        .sort(order),
      [
        // GetItem is NO_SIDE_EFFECTS: no responders is tried three times, and each attempt is a request sent.
        { service: "inventory.v1.InventoryService", rpc: "GetItem", deployment: "", outcome: "no_responders", value: 3 },
        { service: "users.v1.UserService", rpc: "CreateUser", deployment: "users-a", outcome: "ok", value: 3 },
        { service: "users.v1.UserService", rpc: "GetUser", deployment: "", outcome: "timeout", value: 1 },
        { service: "users.v1.UserService", rpc: "GetUser", deployment: "users-a", outcome: "NOT_FOUND", value: 1 },
      ].sort(order),
    );
  });

  it("times requests to services, and shows none in flight once answered", async () => {
    const { samples } = await scrape(stack);
    const createUser = { service: "users.v1.UserService", rpc: "CreateUser", deployment: "users-a" };
    assert.equal(value(samples, "switchyard_upstream_request_duration_seconds_count", createUser), 3);
    const inFlight = series(samples, "switchyard_upstream_requests_in_flight");
    assert.ok(inFlight.length > 0);
    for (const s of inFlight) assert.equal(s.value, 0, JSON.stringify(s.labels));
  });

  it("shows the NATS connection, the live instances per deployment and the process", async () => {
    const { samples } = await scrape(stack);
    assert.equal(value(samples, "switchyard_nats_connected", {}), 1);
    assert.equal(value(samples, "switchyard_nats_reconnects_total", {}), 0);
    assert.equal(value(samples, "switchyard_instances", { contract: "users.v1", deployment: "users-a", language: "typescript" }), 1);
    assert.ok(series(samples, "process_cpu_seconds_total").length === 1);
  });

  it("shows the traffic policy revision in force", async () => {
    const put = await stack.app.inject({ method: "PUT", url: "/_/traffic/users.v1.UserService", payload: { policy: { weights: { "users-a": 1 } } } });
    assert.equal(put.statusCode, 200, put.body);
    const { samples } = await scrape(stack);
    assert.equal(value(samples, "switchyard_traffic_policy_revision", { service: "users.v1.UserService" }), put.json().revision);
  });

  it("is off with METRICS=false", async () => {
    const off = await startStack({ metrics: false });
    try {
      await sleep(10);
      assert.equal((await off.app.inject({ method: "GET", url: "/metrics" })).statusCode, 404);
    } finally {
      await off.close();
    }
  });
});
