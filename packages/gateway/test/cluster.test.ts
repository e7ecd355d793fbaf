// GATEWAY_PROCESSES: the production bundle run as one primary and two workers against a real
// nats-server, with a raw NATS subscriber standing in for the users service's Ping.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { settingsFromEnv } from "@switchyard/gateway";
import { bundleGateway, freePort, REPO_ROOT, startNatsServer, type NatsServer } from "@switchyard/testing";

describe("GATEWAY_PROCESSES", () => {
  it("is 1 by default, a count, or one per core with auto", () => {
    assert.equal(settingsFromEnv({}).processes, 1);
    assert.equal(settingsFromEnv({ GATEWAY_PROCESSES: "4" }).processes, 4);
    assert.equal(settingsFromEnv({ GATEWAY_PROCESSES: "auto" }).processes, availableParallelism());
  });

  it("refuses 0 and anything but a count or auto, naming the variable", () => {
    for (const value of ["0", "two", "1.5"]) {
      assert.throws(() => settingsFromEnv({ GATEWAY_PROCESSES: value }), { name: "ConfigError", message: /^GATEWAY_PROCESSES: / });
    }
  });
});

describe("a gateway of two processes", { timeout: 120_000 }, () => {
  let dir: string;
  let bundle: string;
  let nats: NatsServer;
  let nc: NatsConnection;
  let gateway: ChildProcess;
  let port: number;
  let stdout = "";
  let stderr = "";
  /** The inbox each Ping's reply goes to, without its last token: one per NATS connection. */
  const inboxes = new Set<string>();
  let replyDelayMs = 0;
  let pingsReceived = 0;

  before(async () => {
    // The bundle production runs, in a folder of its own so that dist/ is left alone.
    dir = await mkdtemp(join(tmpdir(), "switchyard-cluster-"));
    bundle = await bundleGateway(dir);
    nats = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: nats.url });
    nc.subscribe("users.v1.UserService.Ping", {
      callback: (_err, msg) => {
        pingsReceived++;
        inboxes.add(msg.reply!.slice(0, msg.reply!.lastIndexOf(".")));
        // An empty PingResponse: every field at its default.
        setTimeout(() => msg.respond(new Uint8Array()), replyDelayMs);
      },
    });
    await nc.flush();

    port = await freePort();
    gateway = startGateway({ NATS_URL: nats.url, PORT: String(port), ACCESS_LOG: "true", LOG_LEVEL: "info", READY_NEEDS_INSTANCES: "false" });
    gateway.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    gateway.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await until("both workers serve", async () => new Set(await servedBy(20)).size === 2);
  });

  after(async () => {
    if (gateway !== undefined && gateway.exitCode === null && gateway.signalCode === null) {
      for (const pid of workerPids()) kill(pid, "SIGKILL");
      gateway.kill("SIGKILL");
    }
    await nc?.close();
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The bundle with two processes; the environment is only what is given, so a developer's shell cannot point it elsewhere. */
  function startGateway(env: Record<string, string>): ChildProcess {
    const childEnv = { PATH: process.env["PATH"], HOST: "127.0.0.1", GATEWAY_PROCESSES: "2", ...env };
    return spawn(process.execPath, [bundle], { cwd: REPO_ROOT, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  }

  /** The pid of the worker that answered each of `count` GET /, each on a connection of its own. */
  async function servedBy(count: number): Promise<number[]> {
    const before = accessPids().length;
    for (let i = 0; i < count; i++) assert.equal(await getRoot(), 200);
    // The access log line is written as the response goes out: give the last one a moment.
    await until("the access log shows every request", async () => accessPids().length >= before + count);
    return accessPids().slice(before);
  }

  function getRoot(): Promise<number> {
    return new Promise((resolve, reject) => {
      // No agent: a new connection per request, which the primary hands to the next worker.
      get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      }).once("error", reject);
    });
  }

  /** The pid in each access log line, in order. */
  function accessPids(): number[] {
    return logLines()
      .filter((l) => l.msg === "request completed")
      .map((l) => l.pid as number);
  }

  function logLines(): Record<string, unknown>[] {
    // Whole lines only: the last may still be arriving.
    return stdout
      .slice(0, stdout.lastIndexOf("\n"))
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The workers the primary started, in order, from its log. */
  function workerPids(): number[] {
    return [...stderr.matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
  }

  async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await probe().catch(() => false))) {
      if (gateway.exitCode !== null) throw new Error(`the gateway exited (${gateway.exitCode}) before ${what}\n${stderr}\n${stdout.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`never: ${what}\n${stderr}\n${stdout.slice(-2000)}`);
      await sleep(100);
    }
  }

  it("serves from both workers, each on its own NATS connection, none from the primary", async () => {
    const pids = new Set(await servedBy(10));
    assert.deepEqual([...pids].sort(), workerPids().sort());
    assert.ok(!pids.has(gateway.pid!));
    assert.equal(inboxes.size, 2);
  });

  it("replaces a worker that dies, with a line saying so", async () => {
    const [victim, survivor] = workerPids();
    kill(victim!, "SIGKILL");
    await until("a worker replaces the one killed", async () => workerPids().length === 3);
    assert.match(stderr, new RegExp(`worker ${victim} was killed by SIGKILL; starting another`));
    const replacement = workerPids()[2]!;
    await until("the new worker serves", async () => (await servedBy(4)).includes(replacement));
    assert.deepEqual(new Set(await servedBy(10)), new Set([survivor, replacement]));
  });

  it("passes SIGTERM on to every worker, which drains its requests, and exits 0 once all have", async () => {
    const workers = workerPids().filter(alive);
    replyDelayMs = 500;
    const received = pingsReceived;
    const inFlight = getRoot();
    await until("the request reaches the service", async () => pingsReceived > received);
    // The primary only: that each worker stops says the primary passed the signal on.
    gateway.kill("SIGTERM");
    assert.equal(await inFlight, 200);
    const [code] = (await Promise.race([once(gateway, "exit"), sleep(15_000).then(() => ["no exit within 15 s"])])) as [unknown];
    assert.equal(code, 0, stderr);
    const closing = logLines().filter((l) => l.msg === "SIGTERM: closing");
    assert.deepEqual(new Set(closing.map((l) => l.pid)), new Set(workers));
    assert.equal(workers.filter(alive).length, 0);
  });

  it("stops every worker and exits with its code when one fails before it listens, rather than restarting it", async () => {
    // Credentials the server refuses: each worker exits 1 as a lone gateway would, and would again.
    await using guarded = await startNatsServer({ jetstream: false, extraConfig: "authorization { user: gw, password: right }" });
    const failing = startGateway({ NATS_URL: guarded.url, NATS_USER: "gw", NATS_PASSWORD: "wrong", PORT: String(await freePort()) });
    let output = "";
    failing.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await Promise.race([once(failing, "exit"), sleep(15_000).then(() => ["no exit within 15 s"])])) as [unknown];
    assert.equal(code, 1, output);
    assert.match(output, /before it listened; stopping the others/);
    assert.doesNotMatch(output, /starting another/);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
