import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { UserService } from "@switchyard/contracts";
import { serve, ServiceError, type RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { PROBLEM, startStack, type Stack } from "./harness.js";
import { assertDisconnectStopsTheStream, events, HttpStream, ndjson, numberedIds, storeUsers } from "./stream-client.js";

const quiet = { info: () => undefined, error: () => undefined };

/** The gateway on a real port: a stream is read as it comes, and a client can walk away from it. */
async function listen(stack: Stack): Promise<string> {
  await stack.app.listen({ port: 0, host: "127.0.0.1" });
  const address = stack.app.server.address();
  assert.ok(address !== null && typeof address === "object");
  return `http://127.0.0.1:${address.port}`;
}

describe("a server-streaming RPC over HTTP, through users-ts", () => {
  let stack: Stack;
  let users: RunningService;
  let url: string;
  const logged: string[] = [];
  // Few users that sort last, for the listings; many before them, for the disconnect.
  const few = numberedIds("z", 10);
  const many = numberedIds("c", 400);

  before(async () => {
    stack = await startStack();
    users = await startUsersService(stack.nc, { info: (message) => logged.push(message), error: (message) => logged.push(message) });
    url = await listen(stack);
    await storeUsers(stack.nc, [...few, ...many]);
  });
  after(async () => {
    await users.stop();
    await stack.close();
  });

  it("answers newline-delimited JSON, one {result} a message, in order", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=z`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/x-ndjson");
    assert.ok(res.headers["x-request-id"]);
    const lines = ndjson(await res.text());
    assert.deepEqual(
      lines.map((line) => (line["result"] as { id: string }).id),
      few,
    );
    assert.deepEqual(lines[0], { result: { id: "z-0001", firstName: "User z-0001", lastName: "Stream" } });
  });

  it("answers server-sent events to a client that accepts them, numbered, then an end event", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=z`, { accept: "text/event-stream" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/event-stream");
    assert.equal(res.headers["cache-control"], "no-cache");
    const all = events(await res.text());
    assert.deepEqual(
      all.slice(0, -1).map((e) => [e.id, (JSON.parse(e.data) as { id: string }).id]),
      few.map((id, i) => [String(i + 1), id]),
    );
    assert.deepEqual(all.at(-1), { event: "end", data: "{}" });
  });

  it("answers an empty stream with no line at all", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=zz`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
  });

  it("answers an error before the first message as problem+json with its status", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/users:stream?afterId=a%20b" });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().field, "after_id");
  });

  it("stops the service's stream within a second of the client's disconnect", async () => {
    const { sent } = await assertDisconnectStopsTheStream(`${url}/users:stream?afterId=c`, stack.nc, many.length + few.length, () =>
      logged.some((line) => /StreamUsers: stream cancelled by the caller after \d+ messages/.test(line)),
    );
    assert.ok(sent >= 1);
  });

  it("follows a traffic policy, and falls back to the shared queue group from a deployment with no instance", async () => {
    const policy = (weights: Record<string, number>) =>
      stack.app.inject({ method: "PUT", url: "/_/traffic/users.v1.UserService", payload: { policy: { weights } } });
    const streamed = async () => ndjson((await stack.app.inject({ method: "GET", url: "/users:stream?afterId=z" })).body).length;
    const method = UserService.method.streamUsers;
    assert.ok((await policy({ ghost: 1 })).statusCode < 300);
    for (let i = 0; stack.app.upstreams.of(method, "ghost").fallbacks === 0; i++) {
      assert.ok(i < 100, "the policy's deployment was never tried");
      assert.equal(await streamed(), few.length);
      await sleep(20);
    }
    // The deployment's own endpoint counts what a policy sends to it.
    const ownRequests = async () => {
      const stats = (await stack.nc.request("$SRV.STATS.users")).json<{ endpoints: { name: string; num_requests: number }[] }>();
      return stats.endpoints.find((e) => e.name === "StreamUsers-users-ts")?.num_requests ?? 0;
    };
    assert.ok((await policy({ "users-ts": 1 })).statusCode < 300);
    const before = await ownRequests();
    for (let i = 0; (await ownRequests()) === before; i++) {
      assert.ok(i < 100, "no stream reached the deployment's own subject");
      assert.equal(await streamed(), few.length);
      await sleep(20);
    }
    assert.ok((await stack.app.inject({ method: "DELETE", url: "/_/traffic/users.v1.UserService" })).statusCode < 300);
  });

  it("counts the stream against MAX_IN_FLIGHT only while it lasts", async () => {
    await stack.app.inject({ method: "GET", url: "/users:stream?afterId=z" });
    assert.equal(stack.app.admission.inFlight, 0);
  });
});

describe("a server-streaming RPC over HTTP: errors, deadline and admission", () => {
  let stack: Stack;
  let svc: RunningService | undefined;
  let url: string;

  before(async () => {
    stack = await startStack({ maxInFlight: 1, requestTimeoutMs: 1000 });
    // after_id picks what the stream does: "fail-<n>" (n messages, then NOT_FOUND), "hold" (one
    // message, then waits for the end), "http" (one message with an HTTP status and header).
    svc = await serve({
      nc: stack.nc,
      service: UserService,
      name: "stream-test",
      version: "0.0.1",
      logger: quiet,
      implementation: {
        async *streamUsers(request, context) {
          const [mode, count] = request.afterId.split("-");
          if (mode === "http") context.respondWith({ status: 206, headers: { "x-stream": "yes" } });
          for (let i = 1; i <= Number(count ?? "1"); i++) yield { user: { id: `u${i}` } };
          if (mode === "hold") await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
          if (mode === "fail") throw new ServiceError("NOT_FOUND", "no more users", "after_id");
        },
      },
    });
    url = await listen(stack);
  });
  after(async () => {
    await svc?.stop();
    await stack.close();
  });

  it("ends newline-delimited JSON with {error} when the stream fails mid-way", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=fail-2`);
    assert.equal(res.status, 200);
    const lines = ndjson(await res.text());
    assert.deepEqual(lines.slice(0, 2), [{ result: { id: "u1" } }, { result: { id: "u2" } }]);
    const error = lines[2]!["error"] as Record<string, unknown>;
    assert.deepEqual(
      { code: error["code"], status: error["status"], detail: error["detail"], field: error["field"] },
      { code: "NOT_FOUND", status: 404, detail: "no more users", field: "after_id" },
    );
    assert.equal(error["requestId"], res.headers["x-request-id"]);
    assert.equal(lines.length, 3);
  });

  it("ends server-sent events with an error event when the stream fails mid-way", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=fail-1`, { accept: "text/event-stream" });
    const all = events(await res.text());
    assert.deepEqual(all[0], { id: "1", data: '{"id":"u1"}' });
    assert.equal(all[1]?.event, "error");
    assert.equal((JSON.parse(all[1]!.data) as { code: string }).code, "NOT_FOUND");
    assert.equal(all.length, 2);
  });

  it("answers a failure before the first message as problem+json with its status", async () => {
    for (const accept of ["application/json", "text/event-stream"]) {
      const res = await stack.app.inject({ method: "GET", url: "/users:stream?afterId=fail-0", headers: { accept } });
      assert.equal(res.statusCode, 404);
      assert.equal(res.headers["content-type"], PROBLEM);
      assert.deepEqual([res.json().code, res.json().field], ["NOT_FOUND", "after_id"]);
    }
  });

  it("takes the HTTP status and headers from the first message", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/users:stream?afterId=http-1" });
    assert.equal(res.statusCode, 206);
    assert.equal(res.headers["x-stream"], "yes");
    assert.deepEqual(ndjson(res.body), [{ result: { id: "u1" } }]);
  });

  it("ends the stream with an error line at the deadline", async () => {
    const res = await HttpStream.open(`${url}/users:stream?afterId=hold-1`);
    const lines = ndjson(await res.text(3000));
    assert.deepEqual(lines[0], { result: { id: "u1" } });
    const code = (lines[1]?.["error"] as { code?: string } | undefined)?.code;
    assert.ok(code === "DEADLINE_EXCEEDED" || code === "SERVICE_TIMEOUT", `ended with ${code}`);
  });

  it("counts an open stream against MAX_IN_FLIGHT until the client leaves", async () => {
    const held = await HttpStream.open(`${url}/users:stream?afterId=hold-1`);
    await held.until((s) => s.lines.length >= 1);
    const refused = await stack.app.inject({ method: "GET", url: "/users:stream?afterId=fail-0" });
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.json().code, "OVERLOADED");
    held.destroy();
    for (let i = 0; stack.app.admission.inFlight > 0; i++) {
      assert.ok(i < 100, "the stream still counts a second after its client left");
      await sleep(10);
    }
    const served = await stack.app.inject({ method: "GET", url: "/users:stream?afterId=fail-0" });
    assert.equal(served.statusCode, 404);
  });

  it("answers 503 when no instance serves the stream", async () => {
    await svc!.stop();
    svc = undefined;
    const res = await stack.app.inject({ method: "GET", url: "/users:stream" });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, "NO_SERVICE");
  });
});
