import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { Metadata, methodSubject, queueGroup } from "@switchyard/protocol";
import { assertInfo, assertPing, assertStats } from "../observe/srv-responses.js";
import { CONTRACT, SERVICE_NAME } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The NATS services API (ADR-32): how operators and tools see the implementation, in the shapes services/README.md shows. */
export function discoveryTests(ctx: UsersSuiteContext): void {
  describe("micro service discovery", () => {
    it(`$SRV.PING.${SERVICE_NAME} answers with the name, an id and a SemVer version`, async () => {
      const ping = await ctx.discover("PING");
      assertPing(ping);
      assert.equal(ping["name"], SERVICE_NAME);
      assert.ok(typeof ping["id"] === "string" && ping["id"] !== "", "id is set");
      assert.match(String(ping["version"]), SEMVER);
    });

    it(`$SRV.INFO.${SERVICE_NAME} lists one endpoint per RPC in the contract's queue group`, async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      assert.equal(info["name"], SERVICE_NAME);
      assert.match(String(info["version"]), SEMVER);
      const metadata = (info["metadata"] ?? {}) as Record<string, unknown>;
      assert.equal(metadata["contract"], CONTRACT);
      assert.ok(typeof metadata["language"] === "string" && metadata["language"] !== "", "metadata.language is set");
      // The suite's nats-server is the only one, so the instance registered through it.
      assert.equal(metadata[Metadata.natsServer], ctx.nc.info?.server_name, "metadata switchyard.nats_server is the server_name of the nats-server it registered through");

      const endpoints = info.endpoints
        .filter((e) => e.queue_group === queueGroup(UserService))
        .map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group }));
      const expected = UserService.methods.map((method) => ({
        name: method.name,
        subject: methodSubject(method),
        queue_group: queueGroup(UserService),
      }));
      const byName = (a: { name: unknown }, b: { name: unknown }): number => String(a.name).localeCompare(String(b.name));
      assert.deepEqual(endpoints.sort(byName), expected.sort(byName));
    });

    it(`$SRV.STATS.${SERVICE_NAME} answers with the counters of every endpoint $SRV.INFO lists`, async () => {
      const [info, stats] = [await ctx.discover("INFO"), await ctx.discover("STATS")];
      assertInfo(info);
      assertStats(stats);
      assert.equal(stats.id, info.id, "the same instance");
      const names = (endpoints: readonly { name: string }[]): string[] => endpoints.map((e) => e.name).sort();
      assert.deepEqual(names(stats.endpoints), names(info.endpoints));
    });
  });
}
