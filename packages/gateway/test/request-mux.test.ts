import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { RequestMux } from "../src/nats/request-mux.js";

const bytes = (n: number): Uint8Array => new TextEncoder().encode(String(n));
const text = (msg: Msg): string => new TextDecoder().decode(msg.data);

describe("RequestMux", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let mux: RequestMux;

  before(async () => {
    ns = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: ns.url, noAsyncTraces: true });
    mux = new RequestMux(nc, 500);
    nc.subscribe("echo", {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    nc.subscribe("silent", { callback: () => undefined });
    await nc.flush();
  });
  after(async () => {
    mux.close();
    await nc.close();
    await ns.stop();
  });

  it("pairs each reply with its request, however many are pending and in whatever order they end", async () => {
    // Held until all are in, then answered last-first: more pending than the ring's first size.
    const held: Msg[] = [];
    const count = 3000;
    const sub = nc.subscribe("held", {
      callback: (_err, msg) => {
        held.push(msg);
        if (held.length === count) for (const m of held.reverse()) m.respond(m.data);
      },
    });
    await nc.flush();
    const replies = await Promise.all(Array.from({ length: count }, (_, i) => mux.request("held", bytes(i), headers())));
    sub.unsubscribe();
    assert.deepEqual(
      replies.map(text),
      Array.from({ length: count }, (_, i) => String(i)),
    );
  });

  it("times out a request nobody answers, while later ones are answered", async () => {
    const started = Date.now();
    const unanswered = mux.request("silent", bytes(0), headers());
    const answered = await Promise.all(Array.from({ length: 2000 }, (_, i) => mux.request("echo", bytes(i), headers())));
    assert.equal(text(answered[1999]!), "1999");
    await assert.rejects(unanswered, (failure) => failure === "timeout");
    assert.ok(Date.now() - started >= 500, "not before its timeout");
  });

  it("ignores a reply that comes after its request timed out", async () => {
    let late: Msg | undefined;
    const sub = nc.subscribe("late", {
      callback: (_err, msg) => {
        late = msg;
      },
    });
    await nc.flush();
    await assert.rejects(mux.request("late", bytes(1), headers()), (failure) => failure === "timeout");
    sub.unsubscribe();
    late!.respond(bytes(1));
    await nc.flush();
    assert.equal(text(await mux.request("echo", bytes(2), headers())), "2");
  });

  it("fails every pending request at once when told the connection is gone, and works on after", async () => {
    const pending = [mux.request("silent", bytes(1), headers()), mux.request("silent", bytes(2), headers())];
    mux.failAll("disconnected");
    for (const p of pending) await assert.rejects(p, (failure) => failure === "disconnected");
    assert.equal(text(await mux.request("echo", bytes(3), headers())), "3");
  });

  it("reports no responders at once", async () => {
    const started = Date.now();
    await assert.rejects(mux.request("nobody.listens", bytes(0), headers()), (failure) => failure === "no-responders");
    assert.ok(Date.now() - started < 500, "without waiting for the timeout");
  });

  it("sends the headers it is given", async () => {
    const sub = nc.subscribe("headers", {
      callback: (_err, msg) => {
        msg.respond(new TextEncoder().encode(msg.headers?.get("X-Test") ?? ""));
      },
    });
    await nc.flush();
    const h = headers();
    h.set("X-Test", "yes");
    assert.equal(text(await mux.request("headers", bytes(0), h)), "yes");
    sub.unsubscribe();
  });
});
