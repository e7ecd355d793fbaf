import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { PingResponseSchema } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { startStack, testConfig, type Stack } from "./harness.js";

// A raw subscriber stands in for the Ping service: it records the headers it got and replies with
// the reply headers the test asks for.
describe("headers between HTTP and NATS", () => {
  let stack: Stack;
  let seen: MsgHdrs | undefined;
  let replyWith: Record<string, string> = {};

  before(async () => {
    stack = await startStack();
    stack.nc.subscribe("users.v1.UserService.Ping", {
      callback: (_err, msg) => {
        seen = msg.headers;
        const h = natsHeaders();
        for (const [k, v] of Object.entries(replyWith)) h.set(k, v);
        msg.respond(toBinary(PingResponseSchema, create(PingResponseSchema, { message: "pong" })), { headers: h });
      },
    });
    await stack.nc.flush();
  });
  after(() => stack.close());

  const ping = (headers: Record<string, string>) => stack.app.inject({ method: "GET", url: "/", headers });

  it("lets through only Switchyard-Meta-* client headers, with the request id", async () => {
    await ping({ "switchyard-meta-tenant": "acme", authorization: "Bearer secret", cookie: "a=b", "x-request-id": "req-7" });
    assert.equal(seen?.get(`${Headers.metadataPrefix}tenant`), "acme");
    assert.equal(seen?.get(Headers.requestId), "req-7");
    const names = [...(seen?.keys() ?? [])].map((k) => k.toLowerCase()).sort();
    assert.deepEqual(names, ["switchyard-meta-tenant", "switchyard-request-id", "switchyard-timeout-ms", "traceparent"]);
    assert.equal(seen?.get(Headers.timeoutMs), String(testConfig.requestTimeoutMs));
  });

  it("forwards a valid W3C traceparent and tracestate as they are", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await ping({ traceparent, tracestate: "vendor=1" });
    assert.equal(seen?.get(Headers.traceparent), traceparent);
    assert.equal(seen?.get(Headers.tracestate), "vendor=1");
  });

  it("starts a trace when the client sent none or a malformed one", async () => {
    await ping({ traceparent: "not-a-trace" });
    const started = seen?.get(Headers.traceparent) ?? "";
    assert.match(started, /^00-[\da-f]{32}-[\da-f]{16}-01$/);
    assert.notEqual(started, "not-a-trace");
  });

  it("answers with the status and headers the service's reply asks for", async () => {
    replyWith = { [Headers.httpStatus]: "202", [`${Headers.httpHeaderPrefix}Location`]: "/jobs/1", [`${Headers.httpHeaderPrefix}Content-Type`]: "text/html" };
    const res = await ping({});
    assert.equal(res.statusCode, 202);
    assert.equal(res.headers["location"], "/jobs/1");
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
  });

  it("drops reply headers that HTTP cannot carry, and keeps the rest", async () => {
    replyWith = {
      [`${Headers.httpHeaderPrefix}Bad(Name)`]: "x",
      [`${Headers.httpHeaderPrefix}X-Price`]: "\u20ac5",
      [`${Headers.httpHeaderPrefix}X-Ok`]: "fine",
    };
    const res = await ping({});
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["x-ok"], "fine");
    assert.equal(res.headers["bad(name)"], undefined);
    assert.equal(res.headers["x-price"], undefined);
  });

  it("ignores a reply status outside 2xx and 3xx", async () => {
    replyWith = { [Headers.httpStatus]: "500" };
    assert.equal((await ping({})).statusCode, 200);
  });
});
