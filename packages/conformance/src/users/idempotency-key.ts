import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { expectError, expectOk } from "../expect.js";
import { assertNoKey, emailKey, newIdempotencyKey, newUser, uniqueEmail, userIdOfKey, userKey, UUID_V4 } from "./fixtures.js";
import { listToEnd } from "./list-users.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { createUser, deleteUser, getUser, updateUser } = UserService.method;
const ATTEMPTS = 5;

/**
 * CreateUser with Switchyard-Idempotency-Key (services/README.md): every attempt of one operation
 * (the same key, so the same payload) ends with one user, and each answers its id.
 */
export function idempotencyKeyTests(ctx: UsersSuiteContext): void {
  const createWith = (user: User, key: string) => ctx.rpc.call(createUser, { user }, { [Headers.idempotencyKey]: key });
  const createdId = async (user: User, key: string): Promise<string> => {
    const created = expectOk(createUser, await createWith(user, key));
    assert.equal(created.success, true);
    return created.id;
  };
  /** The ids of the users with this first name, in the whole bucket. */
  const named = async (firstName: string): Promise<string[]> =>
    (await listToEnd(ctx, 100, "")).flatMap((page) => page.users.filter((u) => u.firstName === firstName).map((u) => u.id));
  let n = 0;
  /** A first name no other test uses. */
  const uniqueName = (): string => `Once ${++n} ${newIdempotencyKey().slice(0, 8)}`;

  describe("CreateUser with Switchyard-Idempotency-Key", () => {
    it("a second attempt answers the same id, a UUID v8 of SHA-256 of the key; one user is stored", async () => {
      const key = newIdempotencyKey();
      const user = newUser({ firstName: uniqueName(), email: uniqueEmail("once") });
      const id = await createdId(user, key);
      assert.equal(id, userIdOfKey(key), "the id derives from the key");
      assert.equal(await createdId(user, key), id, "the retry answers the same id, not ALREADY_EXISTS");

      assert.deepEqual(expectOk(getUser, await ctx.rpc.call(getUser, { id })).user, create(UserSchema, { ...user, id }));
      assert.deepEqual(await named(user.firstName), [id], "one user");
      assert.equal((await (await ctx.kv()).get(emailKey(user.email)))?.string(), id, "the email claim names it");
    });

    it(`${ATTEMPTS} concurrent attempts: all succeed with the same id, one user is stored`, async () => {
      const key = newIdempotencyKey();
      const user = newUser({ firstName: uniqueName(), email: uniqueEmail("once.racing") });
      const ids = await Promise.all(Array.from({ length: ATTEMPTS }, () => createdId(user, key)));
      assert.deepEqual(ids, Array(ATTEMPTS).fill(userIdOfKey(key)));
      assert.deepEqual(await named(user.firstName), [userIdOfKey(key)], "one user");
      assert.equal((await (await ctx.kv()).get(emailKey(user.email)))?.string(), userIdOfKey(key), "the email claim names it");
    });

    it("the same payload with another key makes another user", async () => {
      const user = newUser({ firstName: uniqueName() });
      const [first, second] = [newIdempotencyKey(), newIdempotencyKey()];
      const ids = [await createdId(user, first), await createdId(user, second)];
      assert.deepEqual(ids, [userIdOfKey(first), userIdOfKey(second)]);
      assert.deepEqual((await named(user.firstName)).sort(), [...ids].sort(), "two users");
    });

    describe("a malformed key is no key: each attempt makes a new user with a random id", () => {
      const key = "0123456789abcdef".repeat(4);
      for (const [what, value] of [
        ["empty", ""],
        ["63 digits", key.slice(1)],
        ["65 digits", `${key}0`],
        ["upper-case hex", key.toUpperCase()],
        ["a non-hex digit", `${key.slice(1)}g`],
      ] as const) {
        it(what, async () => {
          const user = newUser({ firstName: uniqueName() });
          const ids = [await createdId(user, value), await createdId(user, value)];
          for (const id of ids) assert.match(id, UUID_V4);
          assert.deepEqual((await named(user.firstName)).sort(), [...ids].sort(), "two users");
        });
      }
    });

    it("an attempt after the user was deleted answers its id and makes it not again, nor claims its email", async () => {
      const key = newIdempotencyKey();
      const user = newUser({ firstName: uniqueName(), email: uniqueEmail("once.deleted") });
      const id = await createdId(user, key);
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id }));

      assert.equal(await createdId(user, key), id);
      expectError(await ctx.rpc.call(getUser, { id }), { reason: "NOT_FOUND", field: undefined });
      await assertNoKey(await ctx.kv(), emailKey(user.email), "the deleted user's email stays free");
    });

    it("an attempt after the user changed its email answers its id, and the first email stays free", async () => {
      const key = newIdempotencyKey();
      const user = newUser({ firstName: uniqueName(), email: uniqueEmail("once.moved") });
      const id = await createdId(user, key);
      const moved = uniqueEmail("once.moved.to");
      expectOk(updateUser, await ctx.rpc.call(updateUser, { user: { id, email: moved }, updateMask: create(FieldMaskSchema, { paths: ["email"] }) }));

      assert.equal(await createdId(user, key), id);
      assert.equal(expectOk(getUser, await ctx.rpc.call(getUser, { id })).user?.email, moved);
      await assertNoKey(await ctx.kv(), emailKey(user.email), "the first email is not claimed again");
    });

    it("an email another user holds is ALREADY_EXISTS, and nothing is stored under the key's id", async () => {
      const email = uniqueEmail("once.taken");
      expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email }) }));
      const key = newIdempotencyKey();
      expectError(await createWith(newUser({ email: email.toUpperCase() }), key), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: "email is already taken",
      });
      await assertNoKey(await ctx.kv(), userKey(userIdOfKey(key)), "no user");
    });

    it("a user another implementation stored under the key's id is this operation's: its id, left as stored", async () => {
      const key = newIdempotencyKey();
      const elsewhere = create(UserSchema, { id: userIdOfKey(key), firstName: uniqueName(), lastName: "Elsewhere" });
      const kv = await ctx.kv();
      await kv.put(userKey(elsewhere.id), toBinary(UserSchema, elsewhere));

      assert.equal(await createdId(newUser({ firstName: elsewhere.firstName }), key), elsewhere.id);
      assert.deepEqual(expectOk(getUser, await ctx.rpc.call(getUser, { id: elsewhere.id })).user, elsewhere, "not written over");
      assert.deepEqual(await named(elsewhere.firstName), [elsewhere.id], "one user");
    });
  });
}
