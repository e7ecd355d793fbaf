import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { emailKey, newUser, uniqueEmail } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { createUser, getUser } = UserService.method;
const RACERS = 20;

export function concurrencyTests(ctx: UsersSuiteContext): void {
  describe("concurrency", () => {
    it(`${RACERS} concurrent creates of one email (in mixed case): exactly one wins, the rest ALREADY_EXISTS`, async () => {
      const email = uniqueEmail("race");
      // Alternate the case: the claim must be atomic on the lowercased email.
      const emails = Array.from({ length: RACERS }, (_, i) => (i % 2 === 0 ? email : email.toUpperCase()));
      const replies = await Promise.all(
        emails.map((e, i) => ctx.rpc.call(createUser, { user: newUser({ firstName: `Racer ${i}`, email: e }) })),
      );

      const winners = replies.flatMap((reply, i) => (reply.status === undefined ? [i] : []));
      assert.equal(winners.length, 1, `exactly one create succeeds (got ${winners.length})`);
      for (const reply of replies) {
        if (reply.status !== undefined) expectError(reply, { reason: "ALREADY_EXISTS", field: "user.email" });
      }

      const winner = winners[0] ?? -1;
      const { id } = expectOk(createUser, replies[winner] ?? assert.fail("no winner"));
      const read = expectOk(getUser, await ctx.rpc.call(getUser, { id }));
      assert.equal(read.user?.firstName, `Racer ${winner}`);
      assert.equal(read.user?.email, emails[winner], "the winner keeps its email as sent");
      assert.equal((await (await ctx.kv()).get(emailKey(email)))?.string(), id, "the email key names the winner");
    });
  });
}
