import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { createAndReadBack } from "./create-user.js";
import { newUser, uniqueEmail } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { createUserRequestBytes, textCases, undecodableCases, type TextFields } from "./text-cases.js";
import { createdUser, mask } from "./update-calls.js";

const { createUser, getUser, updateUser } = UserService.method;

/** The proto name of each field a text case sets, by its path in the request. */
const PATHS = { firstName: "first_name", lastName: "last_name", email: "email" } as const;

/** The fields a case is about: those whose value differs from the plain user's. */
function changedFields(sent: TextFields): (keyof typeof PATHS)[] {
  const plain: TextFields = { firstName: "Ada", lastName: "Lovelace", email: "" };
  return (Object.keys(PATHS) as (keyof typeof PATHS)[]).filter((k) => sent[k] !== plain[k]);
}

/** services/README.md, "Text": whitespace, lengths, emails and quoted control characters, in Unicode. */
export function textRuleTests(ctx: UsersSuiteContext): void {
  describe("text rules, the Unicode table", () => {
    describe("CreateUser", () => {
      for (const c of textCases) {
        it(`${c.name}: ${c.refusal === undefined ? "stored as sent" : `INVALID_ARGUMENT on ${c.refusal.field}`}`, async () => {
          const user = create(UserSchema, c.user());
          if (c.refusal === undefined) await createAndReadBack(ctx, user);
          else expectError(await ctx.rpc.call(createUser, { user }), { reason: "INVALID_ARGUMENT", ...c.refusal });
        });
      }
    });

    describe("UpdateUser, the case's fields masked", () => {
      let target: User | undefined;
      before(async () => {
        target = await createdUser(ctx, { email: uniqueEmail("text.target") });
      });

      for (const c of textCases) {
        it(`${c.name}: ${c.refusal === undefined ? "stored as sent" : `INVALID_ARGUMENT on ${c.refusal.field}`}`, async () => {
          const id = target?.id ?? assert.fail("the user to update was not created");
          const sent = c.user();
          const fields = changedFields(sent);
          const reply = await ctx.rpc.call(updateUser, { user: { ...sent, id }, updateMask: mask(...fields.map((k) => PATHS[k])) });
          if (c.refusal !== undefined) {
            expectError(reply, { reason: "INVALID_ARGUMENT", ...c.refusal });
            return;
          }
          const updated = expectOk(updateUser, reply).user;
          for (const k of fields) assert.equal(updated?.[k], sent[k], `${PATHS[k]} is stored as sent`);
          assert.deepEqual(expectOk(getUser, await ctx.rpc.call(getUser, { id })).user, updated, "GetUser reads the user as UpdateUser replied it");
        });
      }
    });

    describe("requests that are not valid UTF-8, which only Protobuf can carry", () => {
      for (const c of undecodableCases) {
        it(`${c.name}: INVALID_ARGUMENT, no field, "request is not a valid users.v1.CreateUserRequest"`, async () => {
          expectError(await ctx.rpc.callRaw(createUser, createUserRequestBytes(c.user)), {
            reason: "INVALID_ARGUMENT",
            field: undefined,
            description: `request is not a valid ${createUser.input.typeName}`,
          });
        });
      }
    });

    it("emails compare with A-Z as a-z: the claim key is base64url of that, and the other case is taken", async () => {
      const email = uniqueEmail("Mixed.CASE");
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email }) }));
      const folded = email.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const key = `email.${Buffer.from(folded).toString("base64url")}`;
      assert.equal((await (await ctx.kv()).get(key))?.string(), id, `the claim is ${key}, of the email with A-Z as a-z`);
      expectError(await ctx.rpc.call(createUser, { user: newUser({ email: folded.toUpperCase() }) }), {
        reason: "ALREADY_EXISTS",
        field: "user.email",
        description: "email is already taken",
      });
    });

    it("a quoted mask path has each control character (U+0000..U+001F, U+007F..U+009F) replaced by one space", async () => {
      const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser() }));
      const path = "x\u0000\u0001\t\r\n\u001f\u007f\u0080\u009f\u00a0y";
      expectError(await ctx.rpc.call(updateUser, { user: { id, firstName: "Ada" }, updateMask: mask(path) }), {
        reason: "INVALID_ARGUMENT",
        field: "update_mask",
        description: `update_mask path "x${" ".repeat(9)}\u00a0y" cannot be updated`,
      });
    });
  });
}
