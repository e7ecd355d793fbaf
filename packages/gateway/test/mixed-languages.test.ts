import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningService } from "@switchyard/service";
import { describeOutput, REPO_ROOT, startTarget, type Target } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

// The design's promise: implementations in different languages share one queue group and one store,
// so a route moves from one to another while both serve, with no cutover.
describe("users-ts and users-rb in one queue group behind the gateway", () => {
  let stack: Stack;
  let ts: RunningService | undefined;
  let rb: Target | undefined;

  const startRuby = async (): Promise<Target> => {
    const target = startTarget({
      command: "cd services/users-rb && exec bundle exec bin/users-rb",
      cwd: REPO_ROOT,
      natsUrl: stack.ns.url,
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pings = await stack.nc.requestMany("$SRV.PING.users", undefined, { maxWait: 300 });
      for await (const reply of pings) {
        if (reply.json<{ metadata?: { language?: string } }>().metadata?.language === "ruby") return target;
      }
      if (target.exit !== undefined || Date.now() > deadline) {
        throw new Error(`users-rb did not register\n${describeOutput(target.output())}`);
      }
      await sleep(100);
    }
  };

  const create = async (firstName: string): Promise<string> => {
    const res = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName, lastName: "Doe" } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().id as string;
  };
  const read = async (id: string) => stack.app.inject({ method: "GET", url: `/users/${id}` });

  before(async () => {
    stack = await startStack();
    ts = await startUsersService(stack.nc, quiet);
  });
  after(async () => {
    await ts?.stop();
    await rb?.kill();
    await stack.close();
  });

  let createdByTs = "";
  it("serves with users-ts alone", async () => {
    createdByTs = await create("Typed");
    const ping = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(ping.json().servedBy.language, "typescript");
  });

  it("spreads requests over both languages once users-rb joins", { timeout: 30_000 }, async () => {
    rb = await startRuby();
    const languages = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const res = await stack.app.inject({ method: "GET", url: "/" });
      assert.equal(res.statusCode, 200);
      languages.add(res.json().servedBy.language);
    }
    assert.deepEqual([...languages].sort(), ["ruby", "typescript"]);
  });

  let createdByRb = "";
  it("keeps serving when users-ts leaves: users-rb reads what users-ts wrote", async () => {
    await ts!.stop();
    ts = undefined;
    createdByRb = await create("Rubied");
    const res = await read(createdByTs);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().firstName, "Typed");
    const ping = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(ping.json().servedBy.language, "ruby");
  });

  it("moves back to users-ts with no cutover: it reads what users-rb wrote", { timeout: 20_000 }, async () => {
    ts = await startUsersService(stack.nc, quiet);
    const exit = await rb!.terminate(15_000);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, describeOutput(rb!.output()));
    const res = await read(createdByRb);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().firstName, "Rubied");
    const ping = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(ping.json().servedBy.language, "typescript");
  });
});
