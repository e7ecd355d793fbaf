import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ListUsersRequestSchema, PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { describeOutput } from "@switchyard/testing";
import type { BurstReply, BurstRequest } from "../observe/burst.js";
import { terminateDuringBurst } from "../terminate-during-burst.js";
import { newIdNamespace, newUser, pageToken, storeUsers } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { ping, listUsers } = UserService.method;
/** How an instance answers a request it received but did not run before stopping (services/README.md, "Drain"). */
export const STOPPING = "the instance is stopping and did not run the request; retry";
/** Listings of a full page each, so that the instance is busy when SIGTERM comes. */
const LISTINGS = 60;
const PINGS = 60;

/** Why a reply is not one a drained request may get: the RPC's reply, or UNAVAILABLE saying it was not run. */
function wrongReply(reply: BurstReply, isListing: boolean): string | undefined {
  if (reply.reason === undefined) {
    try {
      fromBinary(isListing ? listUsers.output : ping.output, reply.data);
      return undefined;
    } catch {
      return "a success reply that does not decode";
    }
  }
  if (reply.reason === "UNAVAILABLE" && reply.description === STOPPING) return undefined;
  return `${reply.reason} "${reply.description ?? ""}"`;
}

/**
 * The last test: SIGTERM while requests are in flight. Every request the instance received is
 * answered, once, and the process exits 0 within the time the spec allows.
 */
export function shutdownTests(ctx: UsersSuiteContext, stopTimeoutMs: number): void {
  describe("shutdown", () => {
    it(`on SIGTERM with ${LISTINGS + PINGS} requests in flight, answers each once, then exits 0 within ${stopTimeoutMs / 1000} s`, async () => {
      const namespace = newIdNamespace();
      await storeUsers(await ctx.kv(), Array.from({ length: 100 }, (_, n) => newUser({ id: namespace.id(n) })));
      const listing = toBinary(listUsers.input, create(ListUsersRequestSchema, { pageSize: 100, pageToken: pageToken(namespace.prefix) }));
      const pingBytes = toBinary(ping.input, create(PingRequestSchema));
      const requests: BurstRequest[] = Array.from({ length: LISTINGS + PINGS }, (_, i) =>
        i % 2 === 0 && i / 2 < LISTINGS ? { subject: methodSubject(listUsers), payload: listing } : { subject: methodSubject(ping), payload: pingBytes },
      );
      const isListing = (i: number): boolean => requests[i]?.subject === methodSubject(listUsers);

      const { burst, exit, answers, message } = await terminateDuringBurst(ctx, requests, stopTimeoutMs);
      const wrong = requests.flatMap((_, i) => {
        const [reply] = burst.replies(i);
        const problem = reply === undefined ? undefined : wrongReply(reply, isListing(i));
        return problem === undefined ? [] : [`request ${i}: ${problem}`];
      });
      assert.deepEqual({ ...answers, wrongReplies: wrong.slice(0, 5) }, { unanswered: 0, answeredTwice: 0, wrongReplies: [] }, message);
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, describeOutput(ctx.target.output()));
    });
  });
}
