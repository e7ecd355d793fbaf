import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { describeOutput, REPO_ROOT, startTarget, type Target } from "@switchyard/testing";
import { startStack, type Stack } from "./harness.js";
import { assertDisconnectStopsTheStream, events, HttpStream, ndjson, numberedIds, storeUsers } from "./stream-client.js";

describe("a server-streaming RPC over HTTP, through users-rb", () => {
  let stack: Stack;
  let rb: Target | undefined;
  let url: string;
  const few = numberedIds("z", 10);
  const many = numberedIds("c", 400);

  before(
    async () => {
      stack = await startStack();
      rb = startTarget({ command: "cd services/users-rb && exec bundle exec bin/users-rb", cwd: REPO_ROOT, natsUrl: stack.ns.url });
      const deadline = Date.now() + 20_000;
      while (!(await rubyServes(stack))) {
        if (rb.exit !== undefined || Date.now() > deadline) throw new Error(`users-rb did not register\n${describeOutput(rb.output())}`);
        await sleep(100);
      }
      await stack.app.listen({ port: 0, host: "127.0.0.1" });
      const address = stack.app.server.address();
      assert.ok(address !== null && typeof address === "object");
      url = `http://127.0.0.1:${address.port}`;
      await storeUsers(stack.nc, [...few, ...many]);
    },
    { timeout: 30_000 },
  );
  after(async () => {
    await rb?.kill();
    await stack.close();
  });

  it("answers newline-delimited JSON, one {result} a message, in order", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=z`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/x-ndjson");
    const lines = ndjson(await res.text());
    assert.deepEqual(
      lines.map((line) => (line["result"] as { id: string }).id),
      few,
    );
    assert.deepEqual(lines[0], { result: { id: "z-0001", firstName: "User z-0001", lastName: "Stream" } });
  });

  it("answers server-sent events to a client that accepts them, numbered, then an end event", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=z`, { accept: "text/event-stream" });
    assert.equal(res.headers["content-type"], "text/event-stream");
    const all = events(await res.text());
    assert.deepEqual(
      all.slice(0, -1).map((e) => [e.id, (JSON.parse(e.data) as { id: string }).id]),
      few.map((id, i) => [String(i + 1), id]),
    );
    assert.deepEqual(all.at(-1), { event: "end", data: "{}" });
  });

  it("stops the service's stream within a second of the client's disconnect", async () => {
    const cancelled = /"msg":"users\.v1\.UserService\.StreamUsers: stream cancelled by the caller after \d+ messages"/;
    await assertDisconnectStopsTheStream(`${url}/users:stream?afterId=c`, stack.nc, many.length + few.length, () => cancelled.test(rb!.output()));
  });
});

/** Whether a Ruby users instance answers discovery on this stack's NATS. */
async function rubyServes(stack: Stack): Promise<boolean> {
  try {
    for await (const reply of await stack.nc.requestMany("$SRV.PING.users", undefined, { maxWait: 300 })) {
      if (reply.json<{ metadata?: { language?: string } }>().metadata?.language === "ruby") return true;
    }
  } catch {
    // No responders: nothing serves yet.
  }
  return false;
}
