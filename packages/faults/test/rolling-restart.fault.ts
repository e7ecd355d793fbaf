import { describe, it } from "node:test";
import { runScenario } from "../src/index.js";

/** How long an instance may take to drain and exit after SIGTERM. */
const EXIT_LIMIT_MS = 15_000;

describe("fault: rolling restart of every service instance", () => {
  it("replaces 2 users-ts and 1 users-rb one by one under load with 0 failed requests", { timeout: 150_000 }, async () => {
    await runScenario({ name: "rolling-restart", typescript: 2, ruby: 1 }, async (s) => {
      await s.sleep(2_000);
      for (const old of [...s.stack.instances]) {
        const replacement = await s.stack.startInstance(old.language);
        s.mark(`${replacement.name} (${replacement.id}) registered, to replace ${old.name}`);
        const sentAt = old.proc.signal("SIGTERM");
        s.mark(`SIGTERM ${old.name} (${old.id})`, sentAt);
        s.checkCleanExit(old.proc, await s.waitExit(old.proc, EXIT_LIMIT_MS), sentAt, EXIT_LIMIT_MS);
        s.stack.remove(old);
      }
      await s.sleep(2_000);
      await s.stopLoad();

      s.checkNoHang();
      const failed = s.load.records.filter((r) => !r.ok);
      s.check(failed.length === 0, () => `${failed.length} request(s) failed during the rolling restart; the bound is 0:\n${s.list(failed)}`);
      if (failed.length > 0) for (const p of s.stack.procs) s.witnesses.add(p);

      // The replacements are the ones serving now, and they did serve.
      const expected = s.stack.instances.map((i) => i.id).sort();
      const registered = (await s.stack.ping()).map((p) => p.id).sort();
      s.check(
        JSON.stringify(registered) === JSON.stringify(expected),
        `$SRV.PING.users lists ${registered.join(", ") || "nobody"}; expected the replacements ${expected.join(", ")}`,
      );
      const served = new Set(s.load.records.map((r) => r.servedBy));
      const idle = s.stack.instances.filter((i) => !served.has(i.id));
      s.check(idle.length === 0, `replacement(s) ${idle.map((i) => i.name).join(", ")} never answered a GET / under load`);
    });
  });
});
