import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DescService } from "@bufbuild/protobuf";
import { Metadata, methodSubject, queueGroup } from "@switchyard/protocol";
import { assertInfo, assertPing, assertStats } from "../observe/srv-responses.js";
import type { InstanceContext } from "../instance-context.js";

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * The NATS services API (ADR-32), for any contract (`service`, the one the instance implements): the
 * shapes services/README.md shows, one endpoint per RPC. The users suite runs it too.
 */
export function genericDiscoveryTests(ctx: InstanceContext, service: DescService): void {
  describe("micro service discovery", () => {
    it("$SRV.PING.<name> answers with the name, an id and a SemVer version", async () => {
      const ping = await ctx.discover("PING");
      assertPing(ping);
      assert.equal(ping["name"], ctx.name);
      assert.ok(typeof ping["id"] === "string" && ping["id"] !== "", "id is set");
      assert.match(String(ping["version"]), SEMVER);
    });

    it("$SRV.INFO.<name> lists one endpoint per RPC in the contract's queue group", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      assert.equal(info["name"], ctx.name);
      assert.match(String(info["version"]), SEMVER);
      const endpoints = info.endpoints
        .filter((e) => e.queue_group === queueGroup(service))
        .map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group }));
      const expected = service.methods.map((method) => ({ name: method.name, subject: methodSubject(method), queue_group: queueGroup(service) }));
      const byName = (a: { name: unknown }, b: { name: unknown }): number => String(a.name).localeCompare(String(b.name));
      assert.deepEqual(endpoints.sort(byName), expected.sort(byName));
    });

    it("$SRV.STATS.<name> answers with the counters of every endpoint $SRV.INFO lists", async () => {
      const [info, stats] = [await ctx.discover("INFO"), await ctx.discover("STATS")];
      assertInfo(info);
      assertStats(stats);
      assert.equal(stats.id, info.id, "the same instance");
      const names = (endpoints: readonly { name: string }[]): string[] => endpoints.map((e) => e.name).sort();
      assert.deepEqual(names(stats.endpoints), names(info.endpoints));
    });
  });
}

/** Metadata every instance shows: its language, its contract, the nats-server it registered through. */
export function identityTests(ctx: InstanceContext, service: DescService): void {
  it("names its language, its contract's package and the nats-server it registered through", async () => {
    const info = await ctx.discover("INFO");
    assertInfo(info);
    const metadata = info.metadata;
    assert.ok(typeof metadata["language"] === "string" && metadata["language"] !== "", "metadata.language is set");
    assert.equal(metadata["contract"], service.file.proto.package, "metadata.contract is the contract's package");
    // The suite's nats-server is the only one, so the instance registered through it.
    assert.equal(metadata[Metadata.natsServer], ctx.nc.info?.server_name, "metadata switchyard.nats_server is the server_name of the nats-server it registered through");
  });
}
