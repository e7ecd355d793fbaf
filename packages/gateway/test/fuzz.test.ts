import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { HTTPMethods, InjectOptions } from "fastify";
import { startInventoryService } from "@switchyard/inventory-ts";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { PROBLEM, startStack, type Stack } from "./harness.js";

// Seeded, so a failure reproduces: FUZZ_SEED=<seed> FUZZ_RUNS=<n> reruns it.
const SEED = Number(process.env["FUZZ_SEED"] ?? 20261128);
const RUNS = Number(process.env["FUZZ_RUNS"] ?? 3000);

const methods = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
const segment = fc.oneof(
  fc.constantFrom("users", "v1", "warehouses", "items", "paris", "a", "", "..", "%2F", "%ZZ", ":adjustStock", "*", "{id}"),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.uuid(),
);
const path = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join("/")}`);
const queryKey = fc.oneof(
  fc.constantFrom("pageSize", "page_size", "pageToken", "updateMask", "update_mask", "filter.tag", "filter.stockStatuses", "id", "user.id", "itemId", "force"),
  fc.string({ maxLength: 8 }),
);
const queryValue = fc.oneof(fc.constantFrom("1", "-1", "101", "true", "x", "", "3", "firstName,email", "STOCK_STATUS_LOW_STOCK"), fc.string({ maxLength: 10 }));
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`));
const userish = fc.record(
  {
    firstName: fc.oneof(fc.string({ maxLength: 110 }), fc.integer(), fc.constant(null)),
    lastName: fc.oneof(fc.string({ maxLength: 10 }), fc.boolean()),
    email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 })),
    id: fc.string({ maxLength: 5 }),
    sku: fc.string({ maxLength: 8 }),
    displayName: fc.string({ maxLength: 8 }),
    quantity: fc.oneof(fc.integer(), fc.string({ maxLength: 4 })),
    delta: fc.oneof(fc.integer(), fc.constant("9223372036854775808")),
    reason: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string({ maxLength: 6 })),
    tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  userish.map((u) => ({ json: u })),
  fc.jsonValue({ maxDepth: 3 }).map((json) => ({ json })),
  fc.string({ maxLength: 40 }).map((raw) => ({ raw, type: "application/json" })),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ raw: Buffer.from(bytes), type: "application/x-protobuf" })),
  fc.string({ maxLength: 10 }).map((raw) => ({ raw, type: fc.sample(fc.constantFrom("text/plain", "application/xml", "multipart/form-data", "application/json; charset=latin1"), 1)[0]! })),
  fc.constant(undefined),
);
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom("switchyard-meta-tenant", "traceparent", "tracestate", "accept", "x-request-id", "authorization"), fc.string({ minLength: 1, maxLength: 10 }).filter((s) => /^[a-z0-9-]+$/.test(s))),
  fc.oneof(fc.constantFrom("application/x-protobuf", "application/json", "*/*", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
  { maxKeys: 3 },
);

describe("fuzz: random requests never get a 5xx, never crash", () => {
  let stack: Stack;
  const services: RunningService[] = [];
  before(async () => {
    stack = await startStack({ bodyLimitBytes: 4096 });
    const quiet = { info: () => undefined, error: () => undefined };
    services.push(await startUsersService(stack.nc, quiet), await startInventoryService(stack.nc, quiet));
  });
  after(async () => {
    for (const s of services) await s.stop();
    await stack.close();
  });

  it(`${RUNS} seeded cases (seed ${SEED})`, { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(methods, path, query, body, headers, async (method, p, q, b, h) => {
        const request: InjectOptions = { method: method as HTTPMethods, url: p + q, headers: { ...h } };
        if (b !== undefined && method !== "GET" && method !== "HEAD") {
          if ("json" in b) request.payload = JSON.stringify(b.json) ?? "null";
          else request.payload = b.raw;
          request.headers!["content-type"] = "json" in b ? "application/json" : b.type;
        }
        const res = await stack.app.inject(request);
        assert.ok(res.statusCode < 500, `${method} ${p + q} -> ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400 && method !== "HEAD") {
          assert.equal(res.headers["content-type"], PROBLEM);
          const problem = res.json();
          assert.equal(typeof problem.code, "string");
          assert.doesNotMatch(res.body, /\n\s+at /);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
