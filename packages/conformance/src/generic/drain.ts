import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { methodSubject } from "@switchyard/protocol";
import { describeOutput } from "@switchyard/testing";
import type { BurstRequest } from "../observe/burst.js";
import { terminateDuringBurst } from "../terminate-during-burst.js";
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

      const { exit, answers, message } = await terminateDuringBurst(ctx, requests, stopTimeoutMs);
      assert.deepEqual(answers, { unanswered: 0, answeredTwice: 0 }, message);
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, describeOutput(ctx.target.output()));
    });
  });
}
