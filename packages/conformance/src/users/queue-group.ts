import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { methodSubject, queueGroup } from "@switchyard/protocol";
import { assertInfo, type SrvEndpointInfo } from "../observe/srv-responses.js";
import { probeSubject, type ProbeOutcome } from "../observe/queue-probe.js";
import { ReferenceInstance } from "../observe/reference-instance.js";
import { DEPLOYMENT, deploymentSubject, MALFORMED, unaryMethods } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

/** Requests per subject: with two members, all of them going to one is a chance of 2 in 2^40. */
const PROBES = 40;

/**
 * Queue-group membership, observed rather than read from $SRV.INFO: a reference instance joins the
 * queue group the instance claims for a subject; NATS must then hand each request to exactly one
 * of the two, and both must get some. An instance subscribed in another group (or in none) gets
 * every request besides the reference, so each is handled twice: beside another implementation
 * every write would be made twice.
 */
export function queueGroupTests(ctx: UsersSuiteContext): void {
  describe("queue groups, observed with a reference instance in the claimed group", () => {
    const claimed = async (name: string): Promise<SrvEndpointInfo> => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      return info.endpoints.find((e) => e.name === name) ?? assert.fail(`$SRV.INFO lists no endpoint ${name}`);
    };

    /** Probes the subject beside a reference in `queue`; the outcome, and the reference's own count. */
    const probeBeside = async (subject: string, queue: string, payload: Uint8Array): Promise<{ outcome: ProbeOutcome; referenceGot: number }> => {
      const reference = await ReferenceInstance.join(ctx.natsUrl, [{ subject, queue }]);
      try {
        const outcome = await probeSubject(ctx.nc, subject, payload, PROBES);
        return { outcome, referenceGot: reference.received(subject) };
      } finally {
        await reference.leave();
      }
    };

    const assertOnce = (what: string, queue: string, { outcome, referenceGot }: { outcome: ProbeOutcome; referenceGot: number }): void => {
      assert.equal(outcome.twice, 0, `${outcome.twice} of ${outcome.sent} requests on ${what} were handled twice: the instance does not serve it in the queue group it claims, "${queue}"`);
      assert.equal(outcome.unanswered, 0, `${outcome.unanswered} of ${outcome.sent} requests on ${what} got no reply`);
      assert.ok(outcome.byReference > 0 && outcome.byInstance > 0, `NATS spread the ${outcome.sent} requests on ${what} over both members of "${queue}" (instance ${outcome.byInstance}, reference ${outcome.byReference})`);
      assert.equal(outcome.byReference, referenceGot, "the reference answered every request it got");
    };

    const endpoints = unaryMethods.flatMap((method) => [
      { name: method.name, subject: methodSubject(method), queue: queueGroup(UserService) },
      { name: `${method.name}-${DEPLOYMENT}`, subject: deploymentSubject(methodSubject(method)), queue: DEPLOYMENT },
    ]);
    for (const endpoint of endpoints) {
      it(`${endpoint.name}: each request handled once, by the instance or the reference in "${endpoint.queue}", and the instance counts its own`, async () => {
        const info = await claimed(endpoint.name);
        assert.deepEqual({ subject: info.subject, queue_group: info.queue_group }, { subject: endpoint.subject, queue_group: endpoint.queue });

        await ctx.wiretap.settle();
        const wireBefore = ctx.wiretap.tally(endpoint.name).requests;
        const statsBefore = await ctx.endpointStats(endpoint.name);
        const probed = await probeBeside(endpoint.subject, endpoint.queue, MALFORMED);
        assertOnce(endpoint.subject, endpoint.queue, probed);

        await ctx.wiretap.settle();
        const statsAfter = await ctx.endpointStats(endpoint.name);
        assert.deepEqual(
          { wire: ctx.wiretap.tally(endpoint.name).requests - wireBefore, stats: statsAfter.num_requests - statsBefore.num_requests },
          { wire: probed.outcome.byInstance, stats: probed.outcome.byInstance },
          "the requests the instance answered, seen on the wire and in its $SRV.STATS",
        );
      });
    }

    it("the contract's descriptor set: each request handled once, in the contract's queue group", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      const subject = info.metadata["switchyard.descriptors"] ?? assert.fail("the metadata names no switchyard.descriptors subject");
      assertOnce(subject, queueGroup(UserService), await probeBeside(subject, queueGroup(UserService), new Uint8Array()));
    });
  });
}
