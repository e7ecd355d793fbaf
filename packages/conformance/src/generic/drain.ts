import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodSubject } from "@switchyard/protocol";
import { describeOutput } from "@switchyard/testing";
import { Burst, type BurstRequest } from "../observe/burst.js";
import type { GenericSuiteContext } from "./suite-context.js";

/** Enough requests that an instance answering each at once has some left when SIGTERM comes. */
const REQUESTS = 2_000;

/**
 * The last test: SIGTERM with requests in flight, on every unary RPC in turn, each an empty
 * message (whatever it answers, success or error, is business logic; that it answers, once, is
 * not). Every request the instance received is answered once, then it exits 0 in time.
 */
export function drainTests(ctx: GenericSuiteContext, stopTimeoutMs: number): void {
  describe("drain", () => {
    it(`on SIGTERM with ${REQUESTS} requests in flight, answers each once, then exits 0 within ${stopTimeoutMs / 1000} s`, async (t) => {
      const unary = ctx.service.methods.filter((m) => m.methodKind === "unary");
      if (unary.length === 0) {
        t.skip("the contract has no unary RPC to send requests to");
        return;
      }
      const requests: BurstRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
        subject: methodSubject(unary[i % unary.length]!),
        payload: new Uint8Array(),
      }));

      const burst = await Burst.send(ctx.nc, requests);
      const answeredAtSignal = burst.answered;
      const exit = await ctx.target.terminate(stopTimeoutMs);
      await burst.settle(1_000);
      burst.close();

      assert.ok(answeredAtSignal < burst.size, `the instance had answered all ${burst.size} requests before SIGTERM: none was in flight`);
      const counts = requests.map((_, i) => burst.replies(i).length);
      assert.deepEqual(
        { unanswered: counts.filter((n) => n === 0).length, answeredTwice: counts.filter((n) => n > 1).length },
        { unanswered: 0, answeredTwice: 0 },
        `every request received before SIGTERM is answered once (${burst.size - answeredAtSignal} of ${burst.size} were in flight)\n${describeOutput(ctx.target.output())}`,
      );
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, describeOutput(ctx.target.output()));
    });
  });
}
