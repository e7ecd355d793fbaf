import { describe, it } from "node:test";
import { familiesLike, runScenario, scrape, total, type Instance } from "../src/index.js";

/** How long the instance is frozen before it is told to drain, so that requests are surely queued on it. */
const FREEZE_MS = 300;
/** How long an instance may take to drain and exit. */
const EXIT_LIMIT_MS = 15_000;
/** A request queued on the frozen instance waits about the freeze: at least this long. */
const QUEUED_MS = FREEZE_MS * 0.8;
/** The retry budget (RETRY_BUDGET_PERCENT, default 10) and its floor: 10 retries a second over a 10-second window. */
const BUDGET_PERCENT = 10;
const FLOOR_PER_WINDOW = 100;
const WINDOW_S = 10;
/** With no instance at all, how long before one is started again: every request meets no responders. */
const GAP_MS = 2_000;
/** After the new instance registered, requests may still fail this long (the gateway's next attempt). */
const GAP_SLACK_MS = 1_000;
/** How a request may fail while no instance serves: the gateway's 503 for no responders, after its retries. */
const GAP_FAILURE = /^503 /;
/** The gateway's counters (packages/gateway/src/metrics/prometheus.ts). */
const RETRIES = "switchyard_gateway_retries_total";
const REFUSED = "switchyard_gateway_retries_refused_total";
const RETRIABLE = "switchyard_gateway_retriable_requests_total";

describe("fault: an instance drains in the middle of requests", () => {
  it("fails no idempotent request while another instance remains, and retries within the budget when none does", { timeout: 150_000 }, async () => {
    await runScenario(
      // Idempotent reads only: GetUser, ListUsers and Ping are NO_SIDE_EFFECTS in the contract.
      { name: "retry-drain", typescript: 2, ruby: 1, mix: { get: 5, list: 3, ping: 2 }, seed: 30 },
      async (s) => {
        await s.sleep(2_000);
        // users-ts first, then users-rb: each SDK's drain; users-ts-2 remains to serve.
        const victims = [s.stack.instances.find((i) => i.language === "typescript")!, s.stack.instances.find((i) => i.language === "ruby")!];
        const drains: { victim: Instance; frozeAt: number; termAt: number }[] = [];
        for (const victim of victims) {
          const frozeAt = s.mark(`SIGSTOP ${victim.name} (${victim.id})`, victim.proc.signal("SIGSTOP"));
          await s.sleep(FREEZE_MS);
          // SIGTERM while stopped is delivered on SIGCONT, together with the requests queued meanwhile.
          const termAt = s.mark(`SIGTERM + SIGCONT ${victim.name}: drain with requests queued`, victim.proc.signal("SIGTERM"));
          victim.proc.signal("SIGCONT");
          drains.push({ victim, frozeAt, termAt });
          s.checkCleanExit(victim.proc, await s.waitExit(victim.proc, EXIT_LIMIT_MS), termAt, EXIT_LIMIT_MS);
          s.stack.remove(victim);
          await s.sleep(2_000);
        }
        const atDrains = await scrape(s.stack.url);
        s.mark(`drains done: ${total(atDrains, RETRIES) ?? "?"} retries so far, ${total(atDrains, REFUSED) ?? "?"} refused`);

        // Then the last instance goes too, and for a while nobody serves: every request meets no
        // responders, which the gateway retries, as long as its budget lets it. Here it must not.
        const last = s.stack.instances[0]!;
        const gapFrom = s.mark(`SIGTERM ${last.name} (${last.id}), the last instance: nobody serves for ${GAP_MS} ms and a start`, last.proc.signal("SIGTERM"));
        s.checkCleanExit(last.proc, await s.waitExit(last.proc, EXIT_LIMIT_MS), gapFrom, EXIT_LIMIT_MS);
        s.stack.remove(last);
        await s.sleep(GAP_MS);
        const fresh = await s.stack.startInstance("typescript");
        const gapTo = s.mark(`${fresh.name} (${fresh.id}) registered`);
        await s.sleep(2_000);
        await s.stopLoad();
        const after = await scrape(s.stack.url);
        const seconds = (s.load.stoppedAt - s.load.startedAt) / 1000;

        s.checkNoHang();
        s.checkBoundedLatency();
        // While an instance remained: no failure at all. A request still being retried when the last
        // instance got its SIGTERM had none left for its retries: it counts in the gap.
        const failed = s.load.records.filter((r) => !r.ok && r.end < gapFrom);
        s.check(failed.length === 0, () => `${failed.length} idempotent request(s) failed while another instance remained; the bound is 0:\n${s.list(failed)}`);
        // With none: 503 only, only in the gap; afterwards none again.
        const gapFailures = s.load.records.filter((r) => !r.ok && r.end >= gapFrom);
        const outOfGap = gapFailures.filter((r) => r.end < gapFrom || r.start > gapTo + GAP_SLACK_MS || !GAP_FAILURE.test(`${r.status ?? r.error} `));
        s.notes.push(
          `with no instance: ${gapFailures.length} request(s) failed (${failuresOf(gapFailures)}), ` +
            `${s.load.between(gapFrom, gapTo).filter((r) => r.ok).length} succeeded in the gap (before the exit, or retried onto the new instance)`,
        );
        s.check(outOfGap.length === 0, () => `${outOfGap.length} request(s) failed otherwise than 503 while no instance served, or outside that gap:\n${s.list(outOfGap)}`);
        s.check(s.load.records.some((r) => r.ok && r.start > gapTo + GAP_SLACK_MS), `no request succeeded after ${fresh.name} registered`);

        // The drain happened mid-request: requests were queued on the frozen instance.
        for (const d of drains) {
          const queued = s.load.records.filter((r) => r.start >= d.frozeAt && r.start < d.termAt && r.end - r.start >= QUEUED_MS);
          s.notes.push(`${d.victim.name}: ${queued.length} request(s) sent while it was frozen waited ${QUEUED_MS} ms or more (queued on it), ${queued.filter((r) => r.ok).length} ok`);
          s.check(queued.length > 0, `no request was queued on ${d.victim.name} while it was frozen: the drain exercised nothing`);
        }

        // Retries: counted, and within the budget. The gateway's counters since it started: the load is
        // all its traffic but the start-up probes.
        const retries = total(after, RETRIES);
        const refused = total(after, REFUSED);
        const retriable = total(after, RETRIABLE);
        const missing = [RETRIES, REFUSED, RETRIABLE].filter((n) => total(after, n) === undefined);
        s.check(missing.length === 0, () => `the gateway's /metrics lacks ${missing.join(", ")} (retry families it has: ${familiesLike(after, "retr").join(", ") || "none"})`);
        // The budget allows, per 10-second window, 10% of the window's requests plus 100; over the run that is at most this many.
        const allowed = ((retriable ?? s.load.records.length) * BUDGET_PERCENT) / 100 + FLOOR_PER_WINDOW * Math.ceil(seconds / WINDOW_S);
        s.notes.push(
          `retries: ${retries ?? "?"} sent, ${refused ?? "?"} refused by the budget, for ${retriable ?? "?"} retriable requests (the load sent ${s.load.records.length}); ` +
            `budget over ${seconds.toFixed(1)} s: at most ${Math.floor(allowed)}`,
        );
        s.check(retries === undefined || retries <= allowed, `${retries} retries over ${seconds.toFixed(1)} s; the budget allows at most ${Math.floor(allowed)}`);
        // With nobody serving, the requests asked for far more retries than the budget holds: it said no.
        s.check(refused === undefined || refused > 0, `the budget refused no retry while no instance served (${retries} retries sent): it was not engaged`);
        s.check(
          retriable === undefined || retriable >= s.load.records.length,
          `the gateway counted ${retriable} retriable requests, fewer than the ${s.load.records.length} idempotent ones the load sent`,
        );
        if (s.violations.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);
      },
    );
  });
});

function failuresOf(records: readonly { status?: number; code?: string; error?: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    const kind = r.error ?? `${r.status}${r.code === undefined ? "" : ` ${r.code}`}`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
}
