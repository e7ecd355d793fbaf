import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { expectError } from "../expect.js";
import { idRule, invalidIds, MAX_EMAIL, MAX_NAME, uniqueEmail } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { claimOf, createdUser, expectUpdated, readBack, toPath, update, type UserFields } from "./update-calls.js";
import { required, updateInvalidCases } from "./update-user-cases.js";
import { updateEmailTests } from "./update-user-email.js";
import { emailOfLength } from "./validation-cases.js";

const { updateUser } = UserService.method;

export function updateUserTests(ctx: UsersSuiteContext): void {
  describe("UpdateUser", () => {
    describe("refuses, with INVALID_ARGUMENT on the field at fault, in the order of services/README.md", () => {
      let target: User | undefined;
      before(async () => {
        target = await createdUser(ctx, { firstName: "Target", lastName: "Unchanged", email: uniqueEmail("update.target") });
      });
      const targetId = (): string => target?.id ?? assert.fail("the user to update was not created");

      for (const c of updateInvalidCases) {
        it(`${c.name} → ${c.field}`, async () => {
          expectError(await ctx.rpc.call(updateUser, c.request(targetId())), {
            reason: "INVALID_ARGUMENT",
            field: c.field,
            description: c.description,
          });
        });
      }

      it("the refused updates changed nothing", async () => {
        assert.deepEqual(await readBack(ctx, targetId()), target);
        assert.equal(await claimOf(ctx, target?.email ?? ""), targetId(), "the user keeps its email claim");
      });
    });

    describe("changes only the masked fields", () => {
      it("first_name: the other fields of the request are ignored, even invalid ones", async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("mask.first") });
        const reply = await update(ctx, { id: user.id, firstName: "Augusta", lastName: "", email: "not an email" }, "first_name");
        await expectUpdated(ctx, reply, create(UserSchema, { ...user, firstName: "Augusta" }));
        assert.equal(await claimOf(ctx, user.email), user.id, "the email claim is untouched");
      });

      it("last_name: the other fields of the request are ignored, even invalid ones", async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("mask.last") });
        const reply = await update(ctx, { id: user.id, firstName: " ", lastName: "King", email: "" }, "last_name");
        await expectUpdated(ctx, reply, create(UserSchema, { ...user, lastName: "King" }));
        assert.equal(await claimOf(ctx, user.email), user.id, "the email claim is untouched");
      });

      it("first_name, last_name and email at once", async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("mask.all.old") });
        const email = uniqueEmail("Mask.All.New");
        const reply = await update(ctx, { id: user.id, firstName: "Grace", lastName: "Hopper", email }, "last_name", "email", "first_name");
        await expectUpdated(ctx, reply, create(UserSchema, { id: user.id, firstName: "Grace", lastName: "Hopper", email }));
      });

      it("a path may repeat", async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("repeat.old") });
        const email = uniqueEmail("repeat.new");
        const reply = await update(ctx, { id: user.id, firstName: "Twice", email }, "email", "first_name", "email", "first_name");
        await expectUpdated(ctx, reply, create(UserSchema, { ...user, firstName: "Twice", email }));
        assert.equal(await claimOf(ctx, email), user.id);
        assert.equal(await claimOf(ctx, user.email), undefined, "the old email is freed");
      });

      for (const [what, fields] of [
        [`names of exactly ${MAX_NAME} characters`, () => ({ firstName: "f".repeat(MAX_NAME), lastName: "l".repeat(MAX_NAME) })],
        [`names of ${MAX_NAME} non-ASCII characters`, () => ({ firstName: "é".repeat(MAX_NAME), lastName: "Łódź" })],
        ["names with surrounding whitespace", () => ({ firstName: " Ada ", lastName: "\tLovelace" })],
        [`an email of exactly ${MAX_EMAIL} characters`, () => ({ email: emailOfLength(MAX_EMAIL) })],
      ] as const) {
        it(`accepts, at the edge of a rule: ${what}`, async () => {
          const user = await createdUser(ctx, { email: uniqueEmail("edge") });
          const changed: UserFields = fields();
          const reply = await update(ctx, { id: user.id, ...changed }, ...Object.keys(changed).map(toPath));
          await expectUpdated(ctx, reply, create(UserSchema, { ...user, ...changed }));
        });
      }
    });

    updateEmailTests(ctx);

    describe("INVALID_ARGUMENT on user.id for an id no user can have", () => {
      for (const [what, id] of invalidIds) {
        it(`${what}`, async () => {
          expectError(await update(ctx, { id, firstName: "Nobody" }, "first_name"), {
            reason: "INVALID_ARGUMENT",
            field: "user.id",
            description: idRule("user.id"),
          });
        });
      }
    });

    describe("NOT_FOUND, with no field, for no such user", () => {
      for (const [what, id] of [
        ["an unknown id", randomUUID()],
        ["an id that is no UUID", "no-such-user"],
      ] as const) {
        it(`${what}`, async () => {
          expectError(await update(ctx, { id, firstName: "Nobody" }, "first_name"), {
            reason: "NOT_FOUND",
            field: undefined,
            description: `user ${id} not found`,
          });
        });
      }

      it("validates before looking the user up: an unknown id with a bad masked field → INVALID_ARGUMENT", async () => {
        expectError(await update(ctx, { id: randomUUID(), lastName: "" }, "last_name"), {
          reason: "INVALID_ARGUMENT",
          field: "user.last_name",
          description: required("user.last_name"),
        });
      });

      it("looks the user up before the email: an unknown id with a taken email → NOT_FOUND", async () => {
        const owner = await createdUser(ctx, { email: uniqueEmail("taken.by.owner") });
        const id = randomUUID();
        expectError(await update(ctx, { id, email: owner.email }, "email"), {
          reason: "NOT_FOUND",
          field: undefined,
          description: `user ${id} not found`,
        });
        assert.equal(await claimOf(ctx, owner.email), owner.id);
      });

      it("an update of no such user claims no email", async () => {
        const email = uniqueEmail("not.claimed");
        const id = randomUUID();
        expectError(await update(ctx, { id, email }, "email"), {
          reason: "NOT_FOUND",
          field: undefined,
          description: `user ${id} not found`,
        });
        assert.equal(await claimOf(ctx, email), undefined, "no claim is left behind");
      });
    });

    describe("concurrency", () => {
      const RACERS = 10;
      it(`${RACERS} concurrent email changes of one user: each succeeds or is ABORTED; only the stored email stays claimed`, async () => {
        const user = await createdUser(ctx, { email: uniqueEmail("racer.start") });
        const emails = Array.from({ length: RACERS }, (_, i) => uniqueEmail(`racer.${i}`));
        const replies = await Promise.all(emails.map((email) => update(ctx, { id: user.id, email }, "email")));

        const won: string[] = [];
        replies.forEach((reply, i) => {
          if (reply.status === undefined) {
            won.push(emails[i] ?? "");
          } else {
            expectError(reply, {
              reason: "ABORTED",
              field: undefined,
              description: `user ${user.id} changed concurrently; retry`,
            });
          }
        });
        assert.ok(won.length >= 1, "at least one change succeeds");

        const stored = await readBack(ctx, user.id);
        assert.ok(stored !== undefined && won.includes(stored.email), `the stored email (${stored?.email}) is one that succeeded`);
        for (const email of [user.email, ...emails]) {
          const owner = await claimOf(ctx, email);
          if (email === stored.email) assert.equal(owner, user.id, `the stored email ${email} is claimed`);
          else assert.equal(owner, undefined, `${email} is not the stored email: its claim is released`);
        }
      });
    });
  });
}
