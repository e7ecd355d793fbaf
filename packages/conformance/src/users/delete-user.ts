import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { DeleteUserResponseSchema, UserSchema, UserService } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { assertNoKey, emailKey, newUser, pageToken, uniqueEmail, userKey } from "./fixtures.js";
import { idRefusalTests } from "./id-refusals.js";
import { listPage } from "./list-users.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { claimOf, createdUser, mask } from "./update-calls.js";

const { createUser, getUser, deleteUser, updateUser } = UserService.method;

function expectNotFound(reply: Parameters<typeof expectError>[0], id: string): void {
  expectError(reply, { reason: "NOT_FOUND", field: undefined, description: `user ${id} not found` });
}

export function deleteUserTests(ctx: UsersSuiteContext): void {
  describe("DeleteUser", () => {
    idRefusalTests((id) => ctx.rpc.call(deleteUser, { id }));

    for (const [what, id] of [
      ["an unknown id", randomUUID()],
      ["an id that is no UUID", "no-such-user"],
    ] as const) {
      it(`answers NOT_FOUND, with no field, for ${what}`, async () => {
        expectNotFound(await ctx.rpc.call(deleteUser, { id }), id);
      });
    }

    it("deletes a user with email: user.<id> and the email claim go, GetUser and DeleteUser then say NOT_FOUND", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("Deleted.User") });
      const kv = await ctx.kv();
      assert.equal(await claimOf(ctx, user.email), user.id);

      const reply = expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      assert.deepEqual(reply, create(DeleteUserResponseSchema), "replies {}");

      await assertNoKey(kv, userKey(user.id), "the user is deleted");
      await assertNoKey(kv, emailKey(user.email), "the email claim is deleted");
      expectNotFound(await ctx.rpc.call(getUser, { id: user.id }), user.id);
      expectNotFound(await ctx.rpc.call(deleteUser, { id: user.id }), user.id);
    });

    it("frees the email: a new user can take it, in any case", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("freed.by.delete") });
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      const taker = await createdUser(ctx, { email: user.email.toUpperCase() });
      assert.equal(await claimOf(ctx, user.email), taker.id);
    });

    it("deletes a user without email and leaves the other users alone", async () => {
      const neighbour = await createdUser(ctx, { email: uniqueEmail("neighbour") });
      const user = await createdUser(ctx);
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      await assertNoKey(await ctx.kv(), userKey(user.id), "the user is deleted");
      expectNotFound(await ctx.rpc.call(getUser, { id: user.id }), user.id);
      assert.deepEqual(expectOk(getUser, await ctx.rpc.call(getUser, { id: neighbour.id })).user, neighbour);
      assert.equal(await claimOf(ctx, neighbour.email), neighbour.id, "the neighbour keeps its claim");
    });

    it("a deleted user is no longer listed", async () => {
      const user = await createdUser(ctx);
      // Every id is greater than its own prefix; no other user lies in between.
      const justBefore = pageToken(user.id.slice(0, -1));
      assert.deepEqual((await listPage(ctx, 1, justBefore)).users, [user], "listed before the delete");
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      const after = await listPage(ctx, 1, justBefore);
      assert.notEqual(after.users[0]?.id, user.id, "not listed after the delete");
    });

    it("leaves the email claim alone when it names another id", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("claim.of.another") });
      const other = randomUUID();
      await (await ctx.kv()).put(emailKey(user.email), other);
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      await assertNoKey(await ctx.kv(), userKey(user.id), "the user is deleted");
      assert.equal(await claimOf(ctx, user.email), other, "the claim still names the other id");
    });

    it("deletes a user another implementation stored, with its email claim", async () => {
      const kv = await ctx.kv();
      const user = create(UserSchema, { id: randomUUID(), firstName: "Stored", lastName: "Elsewhere", email: uniqueEmail("Stored.ELSEWHERE") });
      await kv.put(userKey(user.id), toBinary(UserSchema, user));
      await kv.create(emailKey(user.email), user.id);

      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: user.id }));
      await assertNoKey(kv, userKey(user.id), "the user is deleted");
      await assertNoKey(kv, emailKey(user.email), "the email claim is deleted");
      expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email: user.email }) }));
    });

    describe("concurrency", () => {
      const RACERS = 5;
      it(`${RACERS} concurrent deletes of one user: one succeeds, the others NOT_FOUND`, async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("deleted.concurrently") });
        const replies = await Promise.all(Array.from({ length: RACERS }, () => ctx.rpc.call(deleteUser, { id: user.id })));
        const succeeded = replies.filter((reply) => reply.status === undefined);
        assert.equal(succeeded.length, 1, "exactly one delete succeeds");
        for (const reply of replies) if (reply.status !== undefined) expectNotFound(reply, user.id);
        await assertNoKey(await ctx.kv(), userKey(user.id), "the user is deleted");
        assert.equal(await claimOf(ctx, user.email), undefined, "the email is freed");
      });

      const ROUNDS = 20;
      it(`an email change racing a delete (${ROUNDS} times): the user stays deleted and no email stays claimed`, async (t) => {
        const outcomes = new Map<string, number>();
        const count = (outcome: string): void => void outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        for (let round = 0; round < ROUNDS; round++) {
          const user = await createdUser(ctx, { email: uniqueEmail(`raced.old.${round}`) });
          const email = uniqueEmail(`raced.new.${round}`);
          // Vary the head start of either side, so the race ends differently from round to round.
          const headStart = [0, 1, 2, 4, 8][round % 5] ?? 0;
          const [updateDelay, deleteDelay] = round % 2 === 0 ? [0, headStart] : [headStart, 0];
          const [updated, deleted] = await Promise.all([
            sleep(updateDelay).then(() => ctx.rpc.call(updateUser, { user: { id: user.id, email }, updateMask: mask("email") })),
            sleep(deleteDelay).then(() => ctx.rpc.call(deleteUser, { id: user.id })),
          ]);
          // One other write at most: the delete succeeds within its tries.
          expectOk(deleteUser, deleted);
          if (updated.status === undefined) {
            count("update first");
          } else if (updated.reason === "NOT_FOUND") {
            expectNotFound(updated, user.id);
            count("update NOT_FOUND");
          } else {
            expectError(updated, { reason: "ABORTED", field: undefined, description: `user ${user.id} changed concurrently; retry` });
            count("update ABORTED");
          }
          const kv = await ctx.kv();
          await assertNoKey(kv, userKey(user.id), `round ${round}: the user stays deleted`);
          expectNotFound(await ctx.rpc.call(getUser, { id: user.id }), user.id);
          assert.equal(await claimOf(ctx, user.email), undefined, `round ${round}: the old email is freed`);
          assert.equal(await claimOf(ctx, email), undefined, `round ${round}: the new email is freed`);
        }
        t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
      });
    });
  });
}
