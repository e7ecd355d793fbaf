import { describe, it } from "node:test";
import { MARGIN_MS, REQUEST_TIMEOUT_MS, runScenario, Scenario, type Instance, type RequestRecord } from "../src/index.js";

/** How long after a kill NATS may still route a request to the dead instance (its socket closes at once on loopback). */
const ROUTING_SLACK_MS = 1_000;
/**
 * How long before a kill (before the freeze, for the frozen one) a request in flight at the kill may
 * have been sent. A healthy instance answers in milliseconds: a request stuck longer than this before
 * the fault was not failed by the fault.
 */
const IN_FLIGHT_MS = 1_000;
/** How long users-ts is frozen before its kill, for requests to be in flight on it. */
const FREEZE_MS = 300;
/** How a request in flight on a killed instance may end. */
const ALLOWED = /^50[34] /;

describe("fault: kill -9 of one service instance under load", () => {
  it("fails only requests in flight on the killed users-ts (frozen first), then users-rb, each as 503/504 within the timeout", { timeout: 120_000 }, async () => {
    await runScenario({ name: "kill-9", typescript: 2, ruby: 1 }, async (s) => {
      // users-ts is first frozen (SIGSTOP) for a moment, so that requests are surely in flight on it
      // when it dies; users-rb is killed as it runs, with whatever it has in flight then.
      const victims: { victim: Instance; freezeMs: number }[] = [
        { victim: s.stack.instances.find((i) => i.language === "typescript")!, freezeMs: FREEZE_MS },
        { victim: s.stack.instances.find((i) => i.language === "ruby")!, freezeMs: 0 },
      ];
      const kills: { victim: Instance; at: number; froze: boolean; from: number }[] = [];
      await s.sleep(3_000);
      for (const { victim, freezeMs } of victims) {
        let from: number | undefined;
        if (freezeMs > 0) {
          from = s.mark(`SIGSTOP ${victim.name} (${victim.id})`, victim.proc.signal("SIGSTOP"));
          await s.sleep(freezeMs);
        }
        const at = victim.proc.signal("SIGKILL");
        s.mark(`SIGKILL ${victim.name} (${victim.id})`, at);
        kills.push({ victim, at, froze: freezeMs > 0, from: from ?? at });
        const exit = await s.waitExit(victim.proc, 5_000);
        s.check(exit?.signal === "SIGKILL", `${victim.name} did not die of SIGKILL: ${JSON.stringify(exit)}`);
        s.stack.remove(victim);
        // Long enough for every request stuck on it to time out, and for a stretch of clean traffic.
        await s.sleep(REQUEST_TIMEOUT_MS + MARGIN_MS + 1_500);
      }
      await s.stopLoad();

      s.checkNoHang();
      s.checkBoundedLatency();
      const records = s.load.records;
      const failed = records.filter((r) => !r.ok);
      // Which kill each failure belongs to: it was in flight at the kill (sent shortly before it, or
      // while the victim was frozen), or sent just after it.
      const blame = (r: RequestRecord): number =>
        kills.findIndex((k) => r.start >= k.from - IN_FLIGHT_MS && r.start <= k.at + ROUTING_SLACK_MS && r.end >= k.at);
      const unexplained = failed.filter((r) => blame(r) === -1);
      s.check(
        unexplained.length === 0,
        () =>
          `${unexplained.length} request(s) failed that were not in flight at a kill (sent from ${IN_FLIGHT_MS} ms before it, ` +
          `or before the freeze, to ${ROUTING_SLACK_MS} ms after it):\n${s.list(unexplained)}`,
      );
      const wrongKind = failed.filter((r) => blame(r) !== -1 && !ALLOWED.test(`${r.status ?? r.error} `));
      s.check(wrongKind.length === 0, () => `${wrongKind.length} request(s) failed otherwise than 503/504:\n${s.list(wrongKind)}`);
      kills.forEach((k, i) => {
        const mine = failed.filter((r) => blame(r) === i);
        const worst = Math.max(0, ...mine.map((r) => r.end - r.start));
        const sent = mine.map((r) => Math.round(r.start - k.at));
        s.notes.push(
          `SIGKILL ${k.victim.name}: ${mine.length} request(s) failed (${Scenario.failuresByKind(mine)}), the longest in ${Math.round(worst)} ms` +
            (mine.length === 0 ? "" : `, sent ${Math.min(...sent)} to ${Math.max(...sent)} ms from the kill`),
        );
        s.check(
          mine.length <= s.workers,
          () => `${mine.length} requests failed around the kill of ${k.victim.name}, more than the ${s.workers} that can be in flight:\n${s.list(mine)}`,
        );
        s.check(
          !k.froze || mine.some((r) => r.start >= k.from),
          `no request sent while ${k.victim.name} was frozen failed: none was in flight on it, the kill exercised nothing`,
        );
        const after = records.filter((r) => r.start > k.at + ROUTING_SLACK_MS && (kills[i + 1] === undefined || r.start < kills[i + 1]!.at));
        s.check(after.filter((r) => r.ok).length > 0, `no request succeeded after the kill of ${k.victim.name}`);
      });

      const alive = s.stack.instances.filter((i) => i.proc.exit !== undefined);
      s.check(alive.length === 0, `survivor(s) exited: ${alive.map((i) => i.name).join(", ")}`);
      const registered = (await s.stack.ping()).map((p) => p.id).sort();
      const expected = s.stack.instances.map((i) => i.id).sort();
      s.check(
        JSON.stringify(registered) === JSON.stringify(expected),
        `$SRV.PING.users lists ${registered.join(", ") || "nobody"}; expected the survivors ${expected.join(", ")}`,
      );
      if (s.violations.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);
    });
  });
});
