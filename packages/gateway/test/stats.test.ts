import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { MAX_DEPLOYMENTS_PER_RPC, MinuteWindow, OTHER, UpstreamStats } from "@switchyard/gateway";

describe("MinuteWindow", () => {
  it("sums the last 60 seconds, forgets older ones, and reads percentiles from its buckets", () => {
    const window = new MinuteWindow();
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < 99; i++) window.record(t0, 1, false);
    window.record(t0 + 500, 400, true);
    window.record(t0 + 30_000, 2, false);
    const now = window.summary(t0 + 30_500);
    assert.deepEqual([now.requests, now.errors], [101, 1]);
    assert.equal(now.errorRate, 1 / 101);
    // Bucket bounds are 50 µs × 1.4^i: a duration reads as the bound above it, at most 40 % more.
    assert.ok(now.p50Ms! >= 1 && now.p50Ms! < 1.4, String(now.p50Ms));
    assert.ok(now.p99Ms! >= 2 && now.p99Ms! < 2.8, `the 100th of 101 is the 2 ms one: ${now.p99Ms}`);
    assert.equal(now.series.requests.length, 60);
    assert.equal(now.series.requests[59], 1, "the current second");
    assert.equal(now.series.requests[29], 100, "thirty seconds ago");
    const later = window.summary(t0 + 61_000);
    assert.deepEqual([later.requests, later.errors], [1, 0], "the first second is out of the window");
    assert.equal(new MinuteWindow().summary(t0).p50Ms, undefined);
  });
});

describe("UpstreamStats", () => {
  const method = UserService.method.getUser;

  it("counts a name that is not a deployment name, and any past the cap, as one other deployment", () => {
    const stats = new UpstreamStats();
    stats.of(method, "users-ts").record("ok", 1, Date.now());
    stats.of(method, "not a deployment\nname").record("ok", 1, Date.now());
    for (let i = 0; i < MAX_DEPLOYMENTS_PER_RPC + 10; i++) stats.of(method, `d-${i}`).record("ok", 1, Date.now());
    const byDeployment = stats.ofMethod(method);
    assert.ok(byDeployment.size <= MAX_DEPLOYMENTS_PER_RPC + 1);
    assert.ok(byDeployment.has(OTHER));
    assert.ok(byDeployment.get(OTHER)!.count >= 11);
    assert.equal([...byDeployment.values()].reduce((n, u) => n + u.count, 0), MAX_DEPLOYMENTS_PER_RPC + 12);
  });
});
