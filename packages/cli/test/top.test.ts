import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Stats } from "../src/admin/index.js";
import { renderTop, sparkline } from "../src/commands/top.js";

const quietMinute = (last: number[]): number[] => [...new Array<number>(60 - last.length).fill(0), ...last];

/** /_/stats as a gateway sends it, cut to the fields `top` reads. */
const stats: Stats = {
  at: "2026-11-30T09:49:49.293Z",
  gateway: { natsConnected: true, natsServer: "127.0.0.1:4222", uptimeSeconds: 3_725, trafficPolicies: "loaded" },
  routes: [
    {
      method: "GET",
      path: "/users/{id}",
      rpc: "users.v1.UserService.GetUser",
      subject: "users.v1.UserService.GetUser",
      deployments: [
        {
          deployment: "users-rb",
          instances: 2,
          weight: 10,
          weightShare: 0.1,
          share: 0.125,
          rps: 1.5,
          errorRate: 0.02,
          p50Ms: 1.234,
          p99Ms: 20,
          fallbacks: 0,
          series: { requests: quietMinute([3, 3, 3, 6, 6, 6]) },
        },
        {
          deployment: "users-ts",
          instances: 1,
          weight: 90,
          weightShare: 0.9,
          share: 0.875,
          rps: 10.5,
          errorRate: 0,
          p50Ms: 0.5,
          p99Ms: 4.25,
          fallbacks: 3,
          series: { requests: new Array<number>(60).fill(10) },
        },
      ],
    },
    { method: "POST", path: "/v1/items", rpc: "inventory.v1.InventoryService.CreateItem", subject: "inventory.v1.InventoryService.CreateItem", deployments: [] },
  ],
  shadow: [
    {
      rpc: "users.v1.UserService.GetUser",
      shadow: "users-rb",
      compared: 200,
      mismatches: 3,
      mismatchRate: 0.015,
      fields: [
        { field: "user.last_name", mismatches: 2 },
        { field: "user.email", mismatches: 1 },
      ],
    },
  ],
  conflicts: [{ service: "users.v1.UserService", reason: "GetUser's request changed" }],
};

describe("top's drawing, from fixed stats", () => {
  it("sparkline: none is ▁, the largest █, any traffic at least ▂", () => {
    assert.equal(sparkline([0, 1, 2, 4, 7]), "▁▂▃▅█");
    assert.equal(sparkline([0, 0, 0]), "▁▁▁");
    assert.equal(sparkline([0, 1, 1000]), "▁▂█");
    assert.equal(sparkline([]), "");
  });

  it("sparkline: a minute in 20 cells of 3 s, summed", () => {
    assert.equal(sparkline(quietMinute([3, 3, 3, 6, 6, 6])), "▁".repeat(18) + "▅█");
    assert.equal(sparkline([1, 1, 2, 2], 2), "▅█");
    assert.equal(sparkline(new Array<number>(60).fill(10)), "█".repeat(20));
  });

  it("renders the gateway, each route's deployments, the shadows and the conflicts", () => {
    assert.equal(
      renderTop(stats),
      [
        "2026-11-30T09:49:49.293Z  NATS connected to 127.0.0.1:4222  gateway up 1h 2m  traffic policies loaded",
        "",
        "METHOD  PATH         DEPLOYMENT       RPS  ERR%  P50 MS  P99 MS      WEIGHT  SHARE  INSTANCES  LAST 60 S",
        "GET     /users/{id}  users-rb        1.50   2.0    1.23   20.00  10 (10.0%)  12.5%          2  ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▅█",
        "GET     /users/{id}  users-ts       10.50   0.0    0.50    4.25  90 (90.0%)  87.5%          1  ████████████████████",
        "POST    /v1/items    no deployment      -     -       -       -           -      -          0",
        "",
        "SHADOWED RPC                  SHADOW    COMPARED  MISMATCHES  RATE  FIELDS",
        "users.v1.UserService.GetUser  users-rb       200           3  1.5%  user.last_name 2, user.email 1",
        "",
        "CONFLICT              REASON",
        "users.v1.UserService  GetUser's request changed",
        "",
      ].join("\n"),
    );
  });

  it("says so when NATS is down, and leaves out empty sections", () => {
    const down: Stats = {
      ...stats,
      gateway: { ...stats.gateway, natsConnected: false, uptimeSeconds: 59 },
      routes: [{ ...stats.routes[0]!, deployments: [{ ...stats.routes[0]!.deployments[0]!, weight: null, weightShare: null, p50Ms: null, p99Ms: null }] }],
      shadow: [],
      conflicts: [],
    };
    assert.equal(
      renderTop(down),
      [
        "2026-11-30T09:49:49.293Z  NATS DISCONNECTED  gateway up 59s  traffic policies loaded",
        "",
        "METHOD  PATH         DEPLOYMENT   RPS  ERR%  P50 MS  P99 MS  WEIGHT  SHARE  INSTANCES  LAST 60 S",
        "GET     /users/{id}  users-rb    1.50   2.0       -       -       -  12.5%          2  ▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▅█",
        "",
      ].join("\n"),
    );
  });
});
