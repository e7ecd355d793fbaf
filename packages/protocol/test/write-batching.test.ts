import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { WriteBatching } from "@switchyard/protocol";

/** Counts the writes that reach the socket's handle: one per system call. */
function countWrites(socket: Socket): () => number {
  let writes = 0;
  const target = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = target._write.bind(socket);
  const writev = target._writev.bind(socket);
  target._write = (...a) => (writes++, write(...a));
  target._writev = (...a) => (writes++, writev(...a));
  return () => writes;
}

describe("WriteBatching", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let sub: NatsConnection;

  before(async () => {
    ns = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: ns.url });
    sub = await connect({ servers: ns.url });
  });
  after(async () => {
    await nc.close();
    await sub.close();
    await ns.stop();
  });

  // Each publish flushed by nats.js in a microtask of its own, as requests read in one turn of the
  // event loop are.
  async function publishApart(count: number, subject: string, batching?: WriteBatching): Promise<void> {
    for (let i = 0; i < count; i++) {
      batching?.hold();
      nc.publish(subject, String(i));
      await new Promise<void>((resolve) => queueMicrotask(resolve));
    }
  }

  it("sends what a turn of the event loop publishes in one write, in order, where nats.js alone writes each", async () => {
    const got: string[] = [];
    sub.subscribe("batched", { callback: (_err, msg) => void got.push(msg.string()) });
    await sub.flush();
    const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
    const writes = countWrites(socket);

    await publishApart(10, "batched");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes(), 10, "nats.js alone: a write per flush");

    const batching = new WriteBatching(nc);
    await publishApart(10, "batched", batching);
    assert.equal(socket.writableCorked, 1, "held until the turn ends");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(socket.writableCorked, 0);
    assert.equal(writes(), 11, "one write for the ten held");

    await nc.flush();
    await sub.flush();
    assert.deepEqual(got, [...Array.from({ length: 10 }, (_, i) => String(i)), ...Array.from({ length: 10 }, (_, i) => String(i))]);
  });

  it("sends at most MAX_HELD publishes per write, so the next process in the chain can start on them", async () => {
    const got: string[] = [];
    sub.subscribe("bounded", { callback: (_err, msg) => void got.push(msg.string()) });
    await sub.flush();
    await nc.flush();
    const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
    const writes = countWrites(socket);
    const count = 2 * WriteBatching.MAX_HELD + 8;
    await publishApart(count, "bounded", new WriteBatching(nc));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes(), 3, `${count} publishes: two full writes and the rest`);
    await nc.flush();
    await sub.flush();
    assert.deepEqual(got, Array.from({ length: count }, (_, i) => String(i)));
  });
});
