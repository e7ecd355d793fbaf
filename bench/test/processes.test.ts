import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuMs, RssSampler } from "../src/processes.js";

describe("process-tree figures", () => {
  it("count a live child's CPU time and RSS with its parent's, as a gateway's workers count with its primary", async () => {
    const sampler = new RssSampler([process.pid]);
    const alone = sampler.takePeak(process.pid);
    const [treeBefore, ownBefore] = [cpuMs(process.pid), process.cpuUsage()];
    // A child that spins for a second while this process mostly sleeps.
    const child = spawn(process.execPath, ["-e", "const end = Date.now() + 1000; while (Date.now() < end);"]);
    try {
      await sleep(600);
      const withChild = sampler.takePeak(process.pid);
      const tree = cpuMs(process.pid) - treeBefore;
      const own = process.cpuUsage(ownBefore);
      const childMs = tree - (own.user + own.system) / 1000;
      assert.ok(withChild > alone, `RSS with the child ${withChild} B, alone ${alone} B`);
      assert.ok(childMs >= 100, `the child's CPU counted: ${childMs} ms`);
    } finally {
      sampler.stop();
      child.kill();
      await once(child, "exit");
    }
  });
});
