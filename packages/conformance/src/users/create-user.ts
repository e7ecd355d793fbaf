import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { newUser, uniqueEmail, UUID_V4 } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { firstFaultCases, invalidCases, validCases } from "./validation-cases.js";

const { createUser, getUser } = UserService.method;

/** Creates the user, asserts the reply of services/README.md, and reads the user back with GetUser. */
export async function createAndReadBack(ctx: UsersSuiteContext, user: User): Promise<string> {
  const created = expectOk(createUser, await ctx.rpc.call(createUser, { user }));
  assert.match(created.id, UUID_V4, "the id is a new random UUID v4, lowercase");
  assert.equal(created.success, true);

  const read = expectOk(getUser, await ctx.rpc.call(getUser, { id: created.id }));
  assert.deepEqual(read.user, create(UserSchema, { ...user, id: created.id }), "GetUser returns the user as created");
  return created.id;
}

export function createUserTests(ctx: UsersSuiteContext): void {
  describe("CreateUser", () => {
    it("creates a user without email and GetUser reads it back", async () => {
      await createAndReadBack(ctx, newUser());
    });

    it("creates a user with email and GetUser reads it back, the email as sent", async () => {
      await createAndReadBack(ctx, newUser({ firstName: "Grace", lastName: "Hopper", email: uniqueEmail("Grace.HOPPER") }));
    });

    it("gives every user a new id", async () => {
      const replies = await Promise.all(
        Array.from({ length: 10 }, async () => ctx.rpc.call(createUser, { user: newUser() })),
      );
      const ids = replies.map((reply) => expectOk(createUser, reply).id);
      assert.equal(new Set(ids).size, ids.length, `ids are distinct: ${ids.join(", ")}`);
    });

    describe("accepts, at the edge of a rule", () => {
      for (const c of validCases) {
        it(`accepts ${c.name}`, async () => {
          await createAndReadBack(ctx, create(UserSchema, c.request.user));
        });
      }
    });

    describe("refuses, with INVALID_ARGUMENT on the field at fault", () => {
      for (const c of invalidCases) {
        it(`refuses ${c.name} (${c.field})`, async () => {
          expectError(await ctx.rpc.call(createUser, c.request), {
            reason: "INVALID_ARGUMENT",
            field: c.field,
            description: c.description,
          });
        });
      }
    });

    describe("names the first fault in the order of services/README.md", () => {
      for (const c of firstFaultCases) {
        it(`${c.name} → ${c.field}`, async () => {
          expectError(await ctx.rpc.call(createUser, c.request), {
            reason: "INVALID_ARGUMENT",
            field: c.field,
            description: c.description,
          });
        });
      }
    });

    describe("keeps emails unique, case-insensitively", () => {
      it("refuses an email already taken with ALREADY_EXISTS on user.email", async () => {
        const email = uniqueEmail("taken");
        expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email }) }));
        expectError(await ctx.rpc.call(createUser, { user: newUser({ firstName: "Other", email }) }), {
          reason: "ALREADY_EXISTS",
          field: "user.email",
          description: "email is already taken",
        });
      });

      it("refuses an email taken in another case (A@X.io vs a@x.io)", async () => {
        const email = uniqueEmail("cased");
        expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email: email.toUpperCase() }) }));
        expectError(await ctx.rpc.call(createUser, { user: newUser({ email: email.toLowerCase() }) }), {
          reason: "ALREADY_EXISTS",
          field: "user.email",
          description: "email is already taken",
        });
      });

      it("validates before claiming: a taken email with a bad name is INVALID_ARGUMENT", async () => {
        const email = uniqueEmail("validate-first");
        expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser({ email }) }));
        expectError(await ctx.rpc.call(createUser, { user: newUser({ firstName: " ", email }) }), {
          reason: "INVALID_ARGUMENT",
          field: "user.first_name",
          description: "user.first_name is required",
        });
      });

      it("a refused request claims no email", async () => {
        const email = uniqueEmail("unclaimed");
        expectError(await ctx.rpc.call(createUser, { user: newUser({ lastName: "", email }) }), {
          reason: "INVALID_ARGUMENT",
          field: "user.last_name",
          description: "user.last_name is required",
        });
        await createAndReadBack(ctx, newUser({ email }));
      });
    });
  });
}
