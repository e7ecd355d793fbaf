import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "@switchyard/testing";

describe("startNatsServer", () => {
  it("starts JetStream on a random port, never 4222, and keeps its store across a restart", async () => {
    await using ns = await startNatsServer();
    assert.notEqual(ns.port, 4222);
    let nc = await connect({ servers: ns.url });
    assert.equal(nc.info?.jetstream, true);
    const kv = await new Kvm(nc).create("t");
    await kv.put("k", "v1");
    await nc.close();

    await ns.restart();
    nc = await connect({ servers: ns.url });
    const entry = await (await new Kvm(nc).open("t")).get("k");
    assert.equal(entry?.string(), "v1");
    await nc.close();
  });

  it("gives two servers two ports", async () => {
    await using a = await startNatsServer({ jetstream: false });
    await using b = await startNatsServer({ jetstream: false });
    assert.notEqual(a.port, b.port);
  });

  it("says how to install nats-server when the binary is missing", async () => {
    await assert.rejects(startNatsServer({ binary: "/nonexistent/nats-server" }), /install it \(apt-get install nats-server\)/);
  });

  it("reports an early exit with the server's own words", async () => {
    await using taken = await startNatsServer({ jetstream: false });
    await assert.rejects(startNatsServer({ jetstream: false, port: taken.port }), /nats-server exited early[\s\S]*address already in use/);
  });
});
