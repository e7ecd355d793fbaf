import { describe, it } from "node:test";
import { now, REQUEST_TIMEOUT_MS, runScenario, Scenario } from "../src/index.js";

/** How long nats-server stays down. */
const GAP_MS = 1_000;
/** Requests succeed again this soon after nats-server is back. */
const RECOVERY_LIMIT_MS = 10_000;
/** Recovered means this long without a failure... */
const STREAK_MS = 3_000;
/** ...and at least this many successes in it. */
const STREAK_MIN = 20;
/** A "fast" failure answers well before the request timeout would have. */
const FAST_MS = REQUEST_TIMEOUT_MS / 2;

describe("fault: nats-server restart under load", () => {
  it("fails fast with 503 while NATS is away; gateway and services reconnect by themselves", { timeout: 120_000 }, async () => {
    await runScenario({ name: "nats-restart", typescript: 2, ruby: 1 }, async (s) => {
      const instances = [...s.stack.instances];
      await s.sleep(3_000);

      const killAt = s.mark("nats-server SIGTERM");
      await s.stack.natsDown();
      const downAt = s.mark("nats-server exited");
      await s.sleep(GAP_MS);
      await s.stack.natsUp();
      const upAt = s.mark("nats-server listening again (same port, same store)");

      // Run until a clean streak, or long enough past the recovery bound to show there was none.
      for (;;) {
        const failures = s.load.between(upAt).filter((r) => r.end > 0 && !r.ok); // finished ones: in flight is not failed
        const lastFailure = Math.max(upAt, ...failures.map((r) => r.start));
        const streak = s.load.between(lastFailure).filter((r) => r.ok && r.start > lastFailure).length;
        if (now() - lastFailure >= STREAK_MS && streak >= STREAK_MIN) break;
        if (now() > upAt + RECOVERY_LIMIT_MS + STREAK_MS) break;
        await s.sleep(100);
      }
      await s.stopLoad();

      const records = s.load.records;
      const failed = records.filter((r) => !r.ok);
      const lastFailure = failed.reduce((m, r) => Math.max(m, r.start), 0);
      const firstSuccess = records.find((r) => r.ok && r.start >= upAt);
      s.mark(`first success after the restart (sent then)`, firstSuccess?.start ?? upAt);
      if (lastFailure > 0) s.mark(`last failure (sent then)`, lastFailure);
      const streak = records.filter((r) => r.start > lastFailure);
      s.notes.push(
        `down ${Math.round(upAt - killAt)} ms; failures ${failed.length} (${Scenario.failuresByKind(failed)}); ` +
          `clean streak after the last failure: ${streak.length} requests over ${((s.load.stoppedAt - Math.max(lastFailure, upAt)) / 1000).toFixed(1)} s`,
      );

      s.checkNoHang();
      s.checkBoundedLatency();
      // Nothing but 503 (NATS unavailable, no responders yet) and 504 (in flight when NATS went away).
      const wrong = failed.filter((r) => r.status !== 503 && r.status !== 504);
      s.check(wrong.length === 0, () => `${wrong.length} request(s) failed otherwise than 503/504:\n${s.list(wrong)}`);
      // A 504 means the request waited its whole timeout: only those already sent when NATS went away may.
      const waited = failed.filter((r) => r.status === 504 && r.start > downAt);
      s.check(
        waited.length === 0,
        () => `${waited.length} request(s) sent after nats-server was gone waited for a 504 instead of failing fast:\n${s.list(waited)}`,
      );
      const slow503 = failed.filter((r) => r.status === 503 && r.end - r.start > FAST_MS);
      s.check(slow503.length === 0, () => `${slow503.length} 503(s) took over ${FAST_MS} ms:\n${s.list(slow503)}`);
      s.check(
        lastFailure <= upAt + RECOVERY_LIMIT_MS,
        () =>
          `requests still failed ${((lastFailure - upAt) / 1000).toFixed(1)} s after nats-server was back (bound ${RECOVERY_LIMIT_MS / 1000} s):\n` +
          s.list(failed.filter((r) => r.start > upAt + RECOVERY_LIMIT_MS)),
      );
      s.check(
        streak.length >= STREAK_MIN && s.load.stoppedAt - Math.max(lastFailure, upAt) >= STREAK_MS,
        `no clean streak of ${STREAK_MS} ms and ${STREAK_MIN} requests after the restart (only ${streak.length})`,
      );

      // Both sides came back by themselves: nobody restarted, every instance is registered and serving again.
      const exited = s.stack.procs.filter((p) => p.exit !== undefined);
      s.check(exited.length === 0, () => `process(es) exited: ${exited.map((p) => `${p.name} (${JSON.stringify(p.exit)})`).join(", ")}`);
      const registered = (await s.stack.ping()).map((p) => p.id).sort();
      const expected = instances.map((i) => i.id).sort();
      s.check(
        JSON.stringify(registered) === JSON.stringify(expected),
        `after the restart $SRV.PING.users lists ${registered.join(", ") || "nobody"}; expected ${expected.join(", ")}`,
      );
      const servedAfter = new Set(records.filter((r) => r.start >= upAt && r.ok).map((r) => r.servedBy));
      const silent = instances.filter((i) => !servedAfter.has(i.id));
      s.check(silent.length === 0, `instance(s) ${silent.map((i) => i.name).join(", ")} answered no GET / after the restart`);
      if (s.violations.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);
    });
  });
});
