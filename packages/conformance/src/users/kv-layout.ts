import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { UserSchema, UserService } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { emailKey, newUser, uniqueEmail, userKey } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { createUser, getUser } = UserService.method;

/** The shared bucket of services/README.md: what lets implementations in different languages share users. */
export function kvLayoutTests(ctx: UsersSuiteContext): void {
  describe("shared key-value layout", () => {
    it("CreateUser puts user.<id> (a binary users.v1.User) and email.<base64url(lowercase)> = id", async () => {
      const user = newUser({ email: uniqueEmail("Layout.Check") });
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user }));
      const kv = await ctx.kv();

      const stored = await kv.get(userKey(id));
      assert.ok(stored !== null && stored.operation === "PUT", `${userKey(id)} is stored`);
      assert.deepEqual(fromBinary(UserSchema, stored.value), create(UserSchema, { ...user, id }));

      const claim = await kv.get(emailKey(user.email));
      assert.ok(claim !== null && claim.operation === "PUT", `${emailKey(user.email)} is stored`);
      assert.equal(claim.string(), id);
    });

    it("a refused duplicate leaves the owner's email claim alone", async () => {
      const email = uniqueEmail("owner");
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email }) }));
      expectError(await ctx.rpc.call(createUser, { user: newUser({ email: email.toUpperCase() }) }), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
      });
      assert.equal((await (await ctx.kv()).get(emailKey(email)))?.string(), id);
    });

    it("a user without email claims no email key", async () => {
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser() }));
      const kv = await ctx.kv();
      for await (const key of await kv.keys("email.>")) {
        assert.notEqual((await kv.get(key))?.string(), id, `${key} belongs to a user without email`);
      }
    });

    it("the bucket keeps one revision per key, on file storage", async () => {
      const { streamInfo } = await (await ctx.kv()).status();
      assert.equal(streamInfo.config.max_msgs_per_subject, 1, "history 1");
      assert.equal(streamInfo.config.storage, "file", "file storage");
    });

    it("GetUser serves a user another implementation stored", async () => {
      const user = create(UserSchema, { id: randomUUID(), firstName: "Written", lastName: "Elsewhere", email: "w@e.io" });
      await (await ctx.kv()).put(userKey(user.id), toBinary(UserSchema, user));
      const read = expectOk(getUser, await ctx.rpc.call(getUser, { id: user.id }));
      assert.deepEqual(read.user, user);
    });

    it("CreateUser refuses an email another implementation claimed", async () => {
      const email = uniqueEmail("claimed.elsewhere");
      await (await ctx.kv()).create(emailKey(email), randomUUID());
      expectError(await ctx.rpc.call(createUser, { user: newUser({ email: email.toUpperCase() }) }), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: "email is already taken",
      });
    });
  });
}
