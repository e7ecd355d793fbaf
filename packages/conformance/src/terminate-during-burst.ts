import assert from "node:assert/strict";
import { describeOutput } from "@switchyard/testing";
import type { InstanceContext } from "./instance-context.js";
import { Burst, type BurstRequest } from "./observe/burst.js";

/**
 * Sends the requests at once and SIGTERMs the instance while some are still in flight (asserted),
 * then waits for its exit and a second for late replies. Returns the closed burst, the exit, and
 * how many requests got no reply or more than one, with the message to assert that with.
 */
export async function terminateDuringBurst(ctx: InstanceContext, requests: readonly BurstRequest[], stopTimeoutMs: number) {
  const burst = await Burst.send(ctx.nc, requests);
  const answeredAtSignal = burst.answered;
  const exit = await ctx.target.terminate(stopTimeoutMs);
  await burst.settle(1_000);
  burst.close();

  assert.ok(answeredAtSignal < burst.size, `the instance had answered all ${burst.size} requests before SIGTERM: none was in flight`);
  const counts = requests.map((_, i) => burst.replies(i).length);
  return {
    burst,
    exit,
    answers: { unanswered: counts.filter((n) => n === 0).length, answeredTwice: counts.filter((n) => n > 1).length },
    message: `every request received before SIGTERM is answered once (${burst.size - answeredAtSignal} of ${burst.size} were in flight)\n${describeOutput(ctx.target.output())}`,
  };
}
