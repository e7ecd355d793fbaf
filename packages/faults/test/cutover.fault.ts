import { describe, it } from "node:test";
import { MARGIN_MS, now, REQUEST_TIMEOUT_MS, runScenario, type Instance, type RequestRecord, type Scenario } from "../src/index.js";

/** How long each step of the cutover carries load. */
const STEP_MS = 3_000;
/** Requests sent this soon after a policy change may have been routed by the policy before it. */
const SETTLE_MS = 200;
/** How long after the kill NATS may still route a request to the dead instance. */
const ROUTING_SLACK_MS = 1_000;
/** How long before the kill a request in flight at the kill may have been sent. */
const IN_FLIGHT_MS = 1_000;
const ALLOWED = /^50[34] /;

describe("fault: cutover from users-ts to users-rb by weights", () => {
  it("moves 100/0 -> 50/50 -> 0/100 under load with 0 failed requests; a deployment killed mid-split loses only its in-flight requests", { timeout: 180_000 }, async () => {
    await runScenario({ name: "cutover", typescript: 1, ruby: 1 }, async (s) => {
      const ts = s.stack.instances.find((i) => i.language === "typescript")!;
      const rb = s.stack.instances.find((i) => i.language === "ruby")!;
      const steps: { weights: Record<string, number>; from: number; to: number }[] = [];
      for (const weights of [{ "users-ts": 100, "users-rb": 0 }, { "users-ts": 50, "users-rb": 50 }, { "users-ts": 0, "users-rb": 100 }]) {
        const revision = await s.stack.setTraffic({ weights }, `cutover step ${JSON.stringify(weights)}`);
        const from = s.mark(`weights ${JSON.stringify(weights)} in force (revision ${revision})`);
        await s.sleep(STEP_MS);
        steps.push({ weights, from, to: now() });
      }
      const cutoverEnd = s.mark("cutover done");

      // Back to an even split, then users-rb dies: its in-flight requests may fail, nothing else.
      await s.stack.setTraffic({ weights: { "users-ts": 50, "users-rb": 50 } }, "50/50 before the kill");
      await s.sleep(1_000);
      const killedAt = rb.proc.signal("SIGKILL");
      s.mark(`SIGKILL ${rb.name} (${rb.id}), the whole users-rb deployment`, killedAt);
      await s.waitExit(rb.proc, 5_000);
      s.stack.remove(rb);
      await s.sleep(REQUEST_TIMEOUT_MS + MARGIN_MS + 1_500);
      await s.stopLoad();

      s.checkNoHang();
      s.checkBoundedLatency();
      const cutoverFailures = s.load.records.filter((r) => !r.ok && r.start < cutoverEnd);
      s.check(cutoverFailures.length === 0, () => `${cutoverFailures.length} request(s) failed during the cutover:\n${s.list(cutoverFailures)}`);
      for (const step of steps) checkShares(s, step, ts, rb);
      const failed = s.load.records.filter((r) => !r.ok && r.start >= cutoverEnd);
      const inFlight = (r: RequestRecord) => r.start >= killedAt - IN_FLIGHT_MS && r.start <= killedAt + ROUTING_SLACK_MS && r.end >= killedAt;
      const unexplained = failed.filter((r) => !inFlight(r));
      s.check(unexplained.length === 0, () => `${unexplained.length} request(s) failed that were not in flight at the kill:\n${s.list(unexplained)}`);
      const wrongKind = failed.filter((r) => inFlight(r) && !ALLOWED.test(`${r.status ?? r.error} `));
      s.check(wrongKind.length === 0, () => `${wrongKind.length} request(s) failed otherwise than 503/504:\n${s.list(wrongKind)}`);
      s.check(failed.length <= s.workers, () => `${failed.length} requests failed around the kill, more than the ${s.workers} that can be in flight`);
      const after = s.load.records.filter((r) => r.op === "ping" && r.start > killedAt + ROUTING_SLACK_MS && r.ok);
      s.check(after.length > 0 && after.every((r) => r.servedBy === ts.id), `after the kill every Ping is answered by ${ts.name}`);
      s.notes.push(`SIGKILL ${rb.name}: ${failed.length} request(s) failed (${failed.map((r) => r.status ?? r.error).join(", ") || "none"})`);
    });
  });
});

/** The Pings of a step, once its policy settled, were answered in its proportions. */
function checkShares(s: Scenario, step: { weights: Record<string, number>; from: number; to: number }, ts: Instance, rb: Instance): void {
  const pings = s.load.records.filter((r) => r.op === "ping" && r.ok && r.start >= step.from + SETTLE_MS && r.end <= step.to);
  const onTs = pings.filter((r) => r.servedBy === ts.id).length;
  const onRb = pings.filter((r) => r.servedBy === rb.id).length;
  const label = JSON.stringify(step.weights);
  s.notes.push(`${label}: ${pings.length} Pings, ${onTs} on users-ts, ${onRb} on users-rb`);
  s.check(onTs + onRb === pings.length && pings.length > 20, `${label}: ${pings.length} Pings, ${onTs + onRb} answered by a known instance`);
  const want = step.weights["users-ts"]! / 100;
  const got = onTs / Math.max(1, pings.length);
  const ok = want === 1 || want === 0 ? got === want : Math.abs(got - want) < 0.2;
  s.check(ok, `${label}: users-ts answered ${(got * 100).toFixed(0)}% of the Pings`);
}
