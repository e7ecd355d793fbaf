import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodSubject } from "@switchyard/protocol";
import { carriedContractTests } from "../carried-contract.js";
import { assertInfo } from "../observe/srv-responses.js";
import { identityTests } from "./discovery.js";
import { DEPLOYMENT, deploymentEndpoint, deploymentSubject } from "./fixtures.js";
import type { GenericSuiteContext } from "./suite-context.js";

/**
 * What an instance says about itself in `$SRV.INFO`, checked against what it does: its deployment
 * and that deployment's own endpoints, and the contract it carries (fetched, its digest checked,
 * its contract file compared with the one the suite was given).
 */
export function metadataTests(ctx: GenericSuiteContext): void {
  describe("metadata", () => {
    identityTests(ctx, ctx.service);

    it("names in its metadata the deployment SWITCHYARD_DEPLOYMENT gave it", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      assert.equal(info.metadata["deployment"], DEPLOYMENT);
    });

    it("serves every RPC a second time, as <Rpc>-<deployment> on the deployment's subject, in the deployment's queue group", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      const own = info.endpoints
        .filter((e) => e.queue_group === DEPLOYMENT)
        .map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const expected = ctx.service.methods
        .map((m) => ({ name: deploymentEndpoint(m), subject: deploymentSubject(methodSubject(m)), queue_group: DEPLOYMENT }))
        .sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(own, expected);
    });

    carriedContractTests(ctx, ctx.service);
  });
}
