import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { RunningService } from "@switchyard/service";
import { describeOutput, REPO_ROOT, startTarget, type Target } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { cli, startStack, type Stack } from "./stack.js";

const quiet = { info: () => undefined, error: () => undefined };
const SERVICE = "users.v1.UserService";

// The README's walkthrough, step by step, with its commands: users-ts serves alone; users-rb (a real
// Ruby process) joins as a shadow and its report is read; it takes a 10% canary, then 50%, then
// 100%; a rollback; then users-ts is retired.
describe("README walkthrough: moving users.v1.UserService from users-ts to users-rb", () => {
  let stack: Stack;
  let tsConnection: NatsConnection;
  let usersTs: RunningService | undefined;
  let usersRb: Target | undefined;
  const sy = async (...args: string[]) => {
    const out = await cli([...args, "--gateway", stack.url]);
    assert.equal(out.code, 0, `switchyard ${args.join(" ")}: ${out.stderr}`);
    return out;
  };
  /** Which language answered each of `count` Pings. */
  const languages = async (count: number) => {
    const tally: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${stack.url}/`);
      assert.equal(res.status, 200);
      const language = ((await res.json()) as { servedBy: { language: string } }).servedBy.language;
      tally[language] = (tally[language] ?? 0) + 1;
    }
    return tally;
  };
  const shadowReport = async () =>
    (JSON.parse((await sy("shadow", "report", "--json")).stdout) as { reports: { rpc: string; compared: number; mismatches: number; fields: { field: string }[] }[] }).reports;

  /** The report once `count` requests of `rpc` are compared: copies are compared after the client has its answer. */
  const reportOf = async (rpc: string, count: number) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const report = (await shadowReport()).find((r) => r.rpc === `${SERVICE}.${rpc}`);
      if ((report?.compared ?? 0) >= count || Date.now() > deadline) return report!;
      await sleep(50);
    }
  };

  before(async () => {
    stack = await startStack();
    tsConnection = await connect({ servers: stack.ns.url, noAsyncTraces: true });
    usersTs = await startUsersService(tsConnection, quiet, { deployment: "users-ts" });
  });
  after(async () => {
    await usersTs?.stop();
    await usersRb?.kill();
    await tsConnection.close();
    await stack.close();
  });

  it("1. users-ts serves alone", async () => {
    assert.deepEqual(await languages(20), { typescript: 20 });
  });

  it("2. pin the traffic to users-ts, name users-rb the shadow, start users-rb: it serves no client, only copies", { timeout: 60_000 }, async () => {
    await sy("traffic", "weights", SERVICE, "users-ts=100");
    await sy("traffic", "shadow", SERVICE, "users-rb");
    usersRb = startTarget({ command: "cd services/users-rb && exec bundle exec bin/users-rb", cwd: REPO_ROOT, natsUrl: stack.ns.url, env: { SWITCHYARD_DEPLOYMENT: "users-rb" } });
    const deadline = Date.now() + 30_000;
    while (!(await stack.app.directory.refresh().then(() => stack.app.directory.ofDeployment("users-rb").length > 0))) {
      if (usersRb.exit !== undefined || Date.now() > deadline) throw new Error(`users-rb did not start\n${describeOutput(usersRb.output())}`);
      await sleep(200);
    }
    const created = (await (await fetch(`${stack.url}/users`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ firstName: "Ada", lastName: "Lovelace" }) })).json()) as { id: string };
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${stack.url}/users/${created.id}`)).status, 200);
    assert.deepEqual(await languages(20), { typescript: 20 }, "the clients still get users-ts only");
  });

  it("3. read the shadow report: GetUser agrees; Ping differs only where it says who answered", async () => {
    const getUser = await reportOf("GetUser", 20);
    assert.deepEqual([getUser.compared, getUser.mismatches], [20, 0]);
    const ping = await reportOf("Ping", 20);
    assert.equal(ping.mismatches, ping.compared);
    assert.deepEqual(ping.fields.map((f) => f.field).sort(), ["served_by.instance", "served_by.language"]);
    const text = (await sy("shadow", "report", "--rpc", "Ping")).stdout;
    assert.match(text, /served_by\.language/);
  });

  it("4. ignore served_by, which differs by design: no mismatch left", async () => {
    await sy("traffic", "shadow", SERVICE, "users-rb", "--ignore", "served_by");
    await sy("shadow", "reset");
    await languages(20);
    const ping = await reportOf("Ping", 20);
    assert.deepEqual([ping.compared, ping.mismatches], [20, 0]);
  });

  it("5. a 10% canary: users-rb answers about one request in ten", async () => {
    await sy("traffic", "weights", SERVICE, "users-ts=90", "users-rb=10");
    const tally = await languages(500);
    assert.ok((tally["ruby"] ?? 0) > 15 && (tally["ruby"] ?? 0) < 100, JSON.stringify(tally));
  });

  it("6. then half", async () => {
    await sy("traffic", "weights", SERVICE, "users-ts=50", "users-rb=50");
    const tally = await languages(400);
    assert.ok((tally["ruby"] ?? 0) > 140 && (tally["ruby"] ?? 0) < 260, JSON.stringify(tally));
  });

  it("7. then all of it", async () => {
    await sy("traffic", "weights", SERVICE, "users-ts=0", "users-rb=100");
    assert.deepEqual(await languages(100), { ruby: 100 });
  });

  it("8. a rollback puts the revision before back: half again", async () => {
    const out = await sy("traffic", "rollback", SERVICE);
    assert.match(out.stdout, /rollback to revision \d+/);
    const tally = await languages(200);
    assert.ok((tally["ruby"] ?? 0) > 60 && (tally["typescript"] ?? 0) > 60, JSON.stringify(tally));
  });

  it("9. all to users-rb, shadow off, users-ts retired: nothing fails", async () => {
    await sy("traffic", "weights", SERVICE, "users-ts=0", "users-rb=100");
    await sy("traffic", "shadow", SERVICE, "--off");
    await usersTs!.stop();
    usersTs = undefined;
    assert.deepEqual(await languages(100), { ruby: 100 });
    const history = (await sy("traffic", "history", SERVICE)).stdout;
    assert.match(history, /shadow off/);
  });
});
