import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { UserSchema, UserService } from "@switchyard/contracts";
import { expectError } from "../expect.js";
import { assertNoKey, emailKey, newUser, uniqueEmail, userKey } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { claimOf, createdUser, expectUpdated, readBack, update } from "./update-calls.js";
import { TAKEN } from "./update-user-cases.js";

const { createUser } = UserService.method;

/** UpdateUser and the email claims: moved, kept, freed, and refused when another user has the email. */
export function updateEmailTests(ctx: UsersSuiteContext): void {
  describe("moves the email claim (email.<base64url(lowercase)> = id)", () => {
    it("a new email is claimed and the old one freed: a new user can take it, nobody the new one", async () => {
      const oldEmail = uniqueEmail("move.old");
      const newEmail = uniqueEmail("Move.NEW");
      const user = await createdUser(ctx, { email: oldEmail });

      await expectUpdated(ctx, await update(ctx, { id: user.id, email: newEmail }, "email"), create(UserSchema, { ...user, email: newEmail }));
      assert.equal(await claimOf(ctx, newEmail), user.id, "the new email is claimed");
      await assertNoKey(await ctx.kv(), emailKey(oldEmail), "the old email is freed");

      const taker = await createdUser(ctx, { firstName: "Taker", email: oldEmail.toUpperCase() });
      assert.equal(await claimOf(ctx, oldEmail), taker.id, "another user took the old email");
      expectError(await ctx.rpc.call(createUser, { user: newUser({ email: newEmail.toLowerCase() }) }), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: TAKEN,
      });
    });

    it("an email changed only in case keeps its claim, stored as sent", async () => {
      const email = uniqueEmail("case.only");
      const user = await createdUser(ctx, { email });
      for (const cased of [email.toUpperCase(), email]) {
        await expectUpdated(ctx, await update(ctx, { id: user.id, email: cased }, "email"), create(UserSchema, { ...user, email: cased }));
        assert.equal(await claimOf(ctx, email), user.id, `after ${cased}: the claim is kept`);
      }
      expectError(await ctx.rpc.call(createUser, { user: newUser({ email: email.toUpperCase() }) }), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: TAKEN,
      });
    });

    it("the same email again keeps its claim", async () => {
      const email = uniqueEmail("same.again");
      const user = await createdUser(ctx, { email });
      await expectUpdated(ctx, await update(ctx, { id: user.id, email, firstName: "Again" }, "email", "first_name"), create(UserSchema, { ...user, firstName: "Again" }));
      assert.equal(await claimOf(ctx, email), user.id);
    });

    it("an empty email clears it and frees the claim", async () => {
      const email = uniqueEmail("cleared");
      const user = await createdUser(ctx, { email });
      await expectUpdated(ctx, await update(ctx, { id: user.id, email: "" }, "email"), create(UserSchema, { ...user, email: "" }));
      await assertNoKey(await ctx.kv(), emailKey(email), "the cleared email is freed");
      const taker = await createdUser(ctx, { email });
      assert.equal(await claimOf(ctx, email), taker.id);
    });

    it("a first email for a user without one is claimed", async () => {
      const user = await createdUser(ctx);
      const email = uniqueEmail("First.Email");
      await expectUpdated(ctx, await update(ctx, { id: user.id, email }, "email"), create(UserSchema, { ...user, email }));
      assert.equal(await claimOf(ctx, email), user.id);
    });

    it("moves the claim of a user another implementation stored", async () => {
      const kv = await ctx.kv();
      const oldEmail = uniqueEmail("elsewhere.old");
      const user = create(UserSchema, { id: randomUUID(), firstName: "Stored", lastName: "Elsewhere", email: oldEmail });
      await kv.put(userKey(user.id), toBinary(UserSchema, user));
      await kv.create(emailKey(oldEmail), user.id);

      const newEmail = uniqueEmail("elsewhere.new");
      await expectUpdated(ctx, await update(ctx, { id: user.id, email: newEmail }, "email"), create(UserSchema, { ...user, email: newEmail }));
      assert.equal(await claimOf(ctx, newEmail), user.id);
      await assertNoKey(kv, emailKey(oldEmail), "the old email is freed");
    });
  });

  describe("treats email claims by their value", () => {
    it("a claim of the new email the user holds already (an interrupted change) counts as its own", async () => {
      const user = await createdUser(ctx, { email: uniqueEmail("interrupted.old") });
      const email = uniqueEmail("interrupted.new");
      await (await ctx.kv()).create(emailKey(email), user.id);
      await expectUpdated(ctx, await update(ctx, { id: user.id, email }, "email"), create(UserSchema, { ...user, email }));
      assert.equal(await claimOf(ctx, email), user.id);
      assert.equal(await claimOf(ctx, user.email), undefined, "the old email is freed");
    });

    for (const [what, next] of [
      ["a change of email", () => uniqueEmail("not.mine.new")],
      ["clearing the email", () => ""],
    ] as const) {
      it(`${what} leaves the old claim alone when it names another id`, async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("not.mine.old") });
        const other = randomUUID();
        await (await ctx.kv()).put(emailKey(user.email), other);
        const email = next();
        await expectUpdated(ctx, await update(ctx, { id: user.id, email }, "email"), create(UserSchema, { ...user, email }));
        assert.equal(await claimOf(ctx, user.email), other, "the claim still names the other id");
        if (email !== "") assert.equal(await claimOf(ctx, email), user.id);
      });
    }
  });

  describe("refuses an email another user has, with ALREADY_EXISTS on user.email", () => {
    for (const [what, cased] of [
      ["as it is", (e: string) => e],
      ["in another case", (e: string) => e.toUpperCase()],
    ] as const) {
      it(`another user's email ${what}: nothing changes, both claims stay`, async () => {
        const owner = await createdUser(ctx, { email: uniqueEmail("owner") });
        const user = await createdUser(ctx, { email: uniqueEmail("would.move") });
        expectError(await update(ctx, { id: user.id, firstName: "Changed", email: cased(owner.email) }, "first_name", "email"), {
          reason: "ALREADY_EXISTS",
          field: "user.email",
          description: TAKEN,
        });
        assert.deepEqual(await readBack(ctx, user.id), user, "the refused update changed nothing, not even first_name");
        assert.equal(await claimOf(ctx, owner.email), owner.id, "the owner keeps its claim");
        assert.equal(await claimOf(ctx, user.email), user.id, "the user keeps its own claim");
      });
    }

    it("an email another implementation claimed", async () => {
      const email = uniqueEmail("claimed.elsewhere");
      const other = randomUUID();
      await (await ctx.kv()).create(emailKey(email), other);
      const user = await createdUser(ctx);
      expectError(await update(ctx, { id: user.id, email }, "email"), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: TAKEN,
      });
      assert.deepEqual(await readBack(ctx, user.id), user);
      assert.equal(await claimOf(ctx, email), other);
    });
  });
}
