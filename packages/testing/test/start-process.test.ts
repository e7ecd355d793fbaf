import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeExit, startProcess, startTarget } from "@switchyard/testing";

describe("startProcess", () => {
  it("keeps every line with its time, in the log file too, and the exit code", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchyard-process-"));
    try {
      const proc = startProcess({ name: "echo", command: "echo one; echo two >&2; exit 3", logFile: join(dir, "echo.log"), noise: (t) => t === "two" });
      const exit = await proc.waitExit(10_000);
      assert.equal(describeExit(exit), "exited with code 3");
      assert.deepEqual(new Set(proc.lines().map((l) => l.text)), new Set(["one", "two"]));
      assert.match(proc.tail(), /one/);
      assert.doesNotMatch(proc.tail(), /two/);
      await proc.kill();
      assert.match(await readFile(join(dir, "echo.log"), "utf8"), /^\S+Z one$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sends SIGTERM to the program behind a shell, which exits with the program's status", async () => {
    const proc = startProcess({ name: "sleeper", command: "exec node -e \"process.on('SIGTERM', () => process.exit(7)); console.log('up'); setInterval(() => {}, 1000)\"" });
    while (!proc.lines().some((l) => l.text === "up")) await new Promise((r) => setTimeout(r, 20));
    const exit = await proc.terminate(10_000);
    assert.equal(exit.code, 7);
  });

  it("runs a program directly, and stop() falls back to SIGKILL after the grace period", async () => {
    const proc = startProcess({ name: "stubborn", command: [process.execPath, "-e", "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"] });
    while (!proc.lines().some((l) => l.text === "up")) await new Promise((r) => setTimeout(r, 20));
    await proc.stop(300);
    assert.equal(proc.exit?.signal, "SIGKILL");
  });

  it("gives a target NATS_URL and none of the caller's NATS settings", async () => {
    const saved = process.env["NATS_TOKEN"];
    process.env["NATS_TOKEN"] = "secret";
    try {
      const target = startTarget({ command: 'echo "url=$NATS_URL token=${NATS_TOKEN:-none}"', natsUrl: "nats://127.0.0.1:1" });
      await target.waitExit(10_000);
      assert.equal(target.output().trim(), "url=nats://127.0.0.1:1 token=none");
    } finally {
      if (saved === undefined) delete process.env["NATS_TOKEN"];
      else process.env["NATS_TOKEN"] = saved;
    }
  });
});
