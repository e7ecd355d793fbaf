import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { expectError, expectOk } from "../expect.js";
import type { UnaryMethod } from "../rpc.js";
import { newUser, uniqueEmail, userKey } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { claimOf, createdUser } from "./update-calls.js";

const { ping, createUser, getUser, listUsers, updateUser, deleteUser } = UserService.method;

/** Switchyard-Timeout-Ms: how many ms the caller still waits, counted from the instance's receipt. */
function timeout(ms: number | string): Record<string, string> {
  return { [Headers.timeoutMs]: String(ms) };
}

/** The ids of every user in the bucket. */
async function storedIds(ctx: UsersSuiteContext): Promise<string[]> {
  const ids: string[] = [];
  for await (const key of await (await ctx.kv()).keys(userKey(">"))) {
    const entry = await (await ctx.kv()).get(key);
    if (entry !== null && entry.operation === "PUT") ids.push(key.slice(userKey("").length));
  }
  return ids.sort();
}

async function readBack(ctx: UsersSuiteContext, id: string): Promise<User | undefined> {
  return expectOk(getUser, await ctx.rpc.call(getUser, { id })).user;
}

/** The deadline rule of services/README.md: past it nothing is run, and nothing is written. */
export function deadlineTests(ctx: UsersSuiteContext): void {
  describe("deadlines (Switchyard-Timeout-Ms)", () => {
    describe("0 ms left on receipt: DEADLINE_EXCEEDED, no field, and the request is not run", () => {
      const expired = <I extends DescMessage, O extends DescMessage>(method: UnaryMethod<I, O>, request: MessageInitShape<I>) =>
        it(method.name, async () => {
          expectError(await ctx.rpc.call(method, request, timeout(0)), { reason: "DEADLINE_EXCEEDED", field: undefined });
        });
      expired(ping, {});
      expired(getUser, { id: "no-such-user" });
      expired(listUsers, {});
      expired(deleteUser, { id: "no-such-user" });
      expired(updateUser, { user: { id: "no-such-user", firstName: "X" }, updateMask: { paths: ["first_name"] } });
      expired(createUser, { user: newUser() });
    });

    it("CreateUser past its deadline creates nothing and claims no email", async () => {
      const before = await storedIds(ctx);
      const user = newUser({ email: uniqueEmail("expired.create") });
      expectError(await ctx.rpc.call(createUser, { user }, timeout(0)), { reason: "DEADLINE_EXCEEDED", field: undefined });
      assert.deepEqual(await storedIds(ctx), before, "no user was stored");
      assert.equal(await claimOf(ctx, user.email), undefined, "the email is not claimed");
      expectOk(createUser, await ctx.rpc.call(createUser, { user }));
    });

    it("UpdateUser past its deadline changes nothing and claims no email", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("expired.update.old") });
      const email = uniqueEmail("expired.update.new");
      const reply = await ctx.rpc.call(updateUser, { user: { id: user.id, firstName: "Late", email }, updateMask: { paths: ["first_name", "email"] } }, timeout(0));
      expectError(reply, { reason: "DEADLINE_EXCEEDED", field: undefined });
      assert.deepEqual(await readBack(ctx, user.id), user, "the user is unchanged");
      assert.equal(await claimOf(ctx, email), undefined, "the new email is not claimed");
      assert.equal(await claimOf(ctx, user.email), user.id, "the old email is still the user's");
    });

    it("DeleteUser past its deadline deletes nothing", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("expired.delete") });
      expectError(await ctx.rpc.call(deleteUser, { id: user.id }, timeout(0)), { reason: "DEADLINE_EXCEEDED", field: undefined });
      assert.deepEqual(await readBack(ctx, user.id), user, "the user is still there");
      assert.equal(await claimOf(ctx, user.email), user.id, "with its email");
    });

    it("with time left, every RPC works as without a deadline", async () => {
      const left = timeout(30_000);
      expectOk(ping, await ctx.rpc.call(ping, {}, left));
      const user = newUser({ email: uniqueEmail("in.time") });
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user }, left));
      const stored = create(UserSchema, { ...user, id });
      assert.deepEqual(expectOk(getUser, await ctx.rpc.call(getUser, { id }, left)).user, stored);
      expectOk(listUsers, await ctx.rpc.call(listUsers, { pageSize: 1 }, left));
      const renamed = expectOk(updateUser, await ctx.rpc.call(updateUser, { user: { id, firstName: "Timely" }, updateMask: { paths: ["first_name"] } }, left));
      assert.equal(renamed.user?.firstName, "Timely");
      expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id }, left));
    });

    for (const value of ["soon", "-1", "1.5", "1e3", "0x10", "12345678901"]) {
      it(`a malformed Switchyard-Timeout-Ms (${JSON.stringify(value)}) is no deadline`, async () => {
        const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser() }, timeout(value)));
        assert.equal(expectOk(getUser, await ctx.rpc.call(getUser, { id }, timeout(value))).user?.id, id);
      });
    }
  });
}
