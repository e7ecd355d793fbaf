import { describe, it } from "node:test";
import { outcome, runScenario, type RequestRecord } from "../src/index.js";

/** The gateway must be gone this soon after SIGTERM. */
const EXIT_LIMIT_MS = 5_000;
/** How a request the gateway never took may end: refused at connect, the idle keep-alive socket closed under it, or the gateway's 503 while closing. */
const REFUSALS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "503"]);

interface AccessLog {
  /** x-request-id → when the gateway logged "incoming request" (it had taken the request). */
  readonly accepted: Map<string, number>;
  /** x-request-id of requests answered with the closing 503 ("request refused: the gateway is closing"). */
  readonly refused: Set<string>;
  /** When the gateway logged its SIGTERM. */
  readonly closingAt: number | undefined;
}

function readAccessLog(lines: readonly { text: string }[]): AccessLog {
  const accepted = new Map<string, number>();
  const refused = new Set<string>();
  let closingAt: number | undefined;
  for (const { text } of lines) {
    if (!text.startsWith("{")) continue;
    let entry: { reqId?: string; msg?: string; time?: number };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      continue;
    }
    if (entry.msg === "incoming request" && entry.reqId !== undefined) accepted.set(entry.reqId, entry.time ?? 0);
    else if (entry.msg === "request refused: the gateway is closing" && entry.reqId !== undefined) {
      // Logged as incoming first, then refused: not taken.
      accepted.delete(entry.reqId);
      refused.add(entry.reqId);
    }
    else if (entry.msg === "SIGTERM: closing") closingAt = entry.time;
  }
  return { accepted, refused, closingAt };
}

describe("fault: SIGTERM of the gateway under load", () => {
  it("completes every request it accepted with its normal status, refuses the rest cleanly and exits 0", { timeout: 120_000 }, async () => {
    await runScenario({ name: "gateway-sigterm", typescript: 2, ruby: 1 }, async (s) => {
      const gateway = s.stack.gateway;
      await s.sleep(3_000);
      const signalAt = gateway.signal("SIGTERM");
      s.mark("SIGTERM gateway", signalAt);
      s.checkCleanExit(gateway, await s.waitExit(gateway, EXIT_LIMIT_MS), signalAt, EXIT_LIMIT_MS);
      await s.sleep(1_000); // the load keeps knocking on the closed port
      await s.stopLoad();

      const log = readAccessLog(gateway.lines());
      s.check(log.closingAt !== undefined, `the gateway never logged "SIGTERM: closing"\n${gateway.tail()}`);
      const records = s.load.records;
      const accepted = records.filter((r) => log.accepted.has(r.requestId));
      const before = records.filter((r) => r.start < signalAt);
      const inFlight = accepted.filter((r) => r.start < signalAt && r.end > signalAt);
      const notTaken = before.filter((r) => !log.accepted.has(r.requestId));
      s.notes.push(
        `started before the signal: ${before.length}; accepted by the gateway: ${accepted.length}, of which in flight at the signal: ${inFlight.length}` +
          `, ok ${accepted.filter((r) => r.ok).length}`,
        `started before the signal but not yet read by the gateway (refused): ${notTaken.length} (${outcomes(notTaken)})`,
        `started after the signal: ${records.length - before.length} (${outcomes(records.filter((r) => r.start >= signalAt))})`,
      );

      s.checkNoHang();
      s.checkBoundedLatency();
      // The bound: every request the gateway took before the signal completes with its normal status.
      const broken = accepted.filter((r) => !r.ok);
      s.check(broken.length === 0, () => `${broken.length} request(s) accepted by the gateway did not get their normal 200:\n${s.list(broken)}`);
      const lateAccepts = accepted.filter((r) => log.closingAt !== undefined && (log.accepted.get(r.requestId) ?? 0) > log.closingAt);
      s.check(lateAccepts.length === 0, () => `${lateAccepts.length} request(s) accepted after "SIGTERM: closing":\n${s.list(lateAccepts)}`);
      // The rest may only be refused: a connection error or the closing 503, nothing else.
      const odd = records.filter((r) => !r.ok && !log.accepted.has(r.requestId) && !REFUSALS.has(r.error ?? String(r.status)));
      s.check(odd.length === 0, () => `${odd.length} request(s) the gateway did not take ended otherwise than refused:\n${s.list(odd)}`);
      // Something was in flight, or the scenario proved nothing.
      s.check(inFlight.length > 0, "no accepted request was in flight when the signal came: the scenario did not exercise the drain");
      if (s.violations.length > 0) s.witnesses.add(gateway);
    });
  });
});

function outcomes(records: readonly RequestRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(outcome(r), (counts.get(outcome(r)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
}
