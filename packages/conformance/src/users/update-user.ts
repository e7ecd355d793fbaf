import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, type FieldMask } from "@bufbuild/protobuf/wkt";
import { UserSchema, UserService, type UpdateUserRequestSchema, type User } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import type { RpcReply } from "../rpc.js";
import { assertNoKey, emailKey, idRule, invalidIds, MAX_EMAIL, MAX_NAME, newUser, uniqueEmail, userKey } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";
import { emailOfLength, invalidCases } from "./validation-cases.js";

const { createUser, getUser, updateUser } = UserService.method;

type UpdateInit = MessageInitShape<typeof UpdateUserRequestSchema>;
type UserFields = Partial<Pick<User, "id" | "firstName" | "lastName" | "email">>;

/** The descriptions services/README.md gives. */
const required = (field: string): string => `${field} is required`;
const BAD_EMAIL = "user.email must be a valid email address";
const TAKEN = "email is already taken";

export function mask(...paths: string[]): FieldMask {
  return create(FieldMaskSchema, { paths });
}

/** Sends UpdateUser with the user's fields and the mask paths. */
function update(ctx: UsersSuiteContext, user: UserFields, ...paths: string[]): Promise<RpcReply> {
  return ctx.rpc.call(updateUser, { user, updateMask: mask(...paths) });
}

/** Creates a user with CreateUser and returns it as it must be stored. */
export async function createdUser(ctx: UsersSuiteContext, fields: UserFields = {}): Promise<User> {
  const user = newUser(fields);
  const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user }));
  return create(UserSchema, { ...user, id });
}

/** The user as GetUser reads it. */
async function readBack(ctx: UsersSuiteContext, id: string): Promise<User | undefined> {
  return expectOk(getUser, await ctx.rpc.call(getUser, { id })).user;
}

/** The id an email key names, or undefined when the email is free. */
export async function claimOf(ctx: UsersSuiteContext, email: string): Promise<string | undefined> {
  const entry = await (await ctx.kv()).get(emailKey(email));
  return entry !== null && entry.operation === "PUT" ? entry.string() : undefined;
}

/** Asserts a success reply whose user is `expected`, and that GetUser and user.<id> hold it too. */
async function expectUpdated(ctx: UsersSuiteContext, reply: RpcReply, expected: User): Promise<void> {
  const replied = expectOk(updateUser, reply).user;
  assert.deepEqual(replied, expected, "UpdateUser replies the user as stored");
  assert.deepEqual(await readBack(ctx, expected.id), expected, "GetUser reads the updated user");
  const entry = await (await ctx.kv()).get(userKey(expected.id));
  assert.ok(entry !== null && entry.operation === "PUT", `${userKey(expected.id)} is stored`);
  assert.deepEqual(fromBinary(UserSchema, entry.value), expected, `${userKey(expected.id)} holds the updated user`);
}

interface UpdateCase {
  name: string;
  request: (id: string) => UpdateInit;
  field: string;
  description: string;
}

/** The proto field name of a User field of the generated type (firstName → first_name). */
function toPath(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const CANNOT = (path: string): string => `update_mask path "${path}" cannot be updated`;

/** Every check of services/README.md before the user is read, in its order, on an existing user. */
const updateInvalidCases: readonly UpdateCase[] = [
  { name: "user missing", request: () => ({}), field: "user", description: "user is required" },
  {
    name: "user missing, with a mask",
    request: () => ({ updateMask: mask("first_name") }),
    field: "user",
    description: "user is required",
  },
  {
    name: "user.id empty",
    request: () => ({ user: { firstName: "New" }, updateMask: mask("first_name") }),
    field: "user.id",
    description: "user.id is required",
  },
  {
    name: "user.id empty, no mask and first_name empty",
    request: () => ({ user: { firstName: "" } }),
    field: "user.id",
    description: "user.id is required",
  },
  {
    name: "update_mask missing",
    request: (id) => ({ user: { id, firstName: "New" } }),
    field: "update_mask",
    description: "update_mask is required",
  },
  {
    name: "update_mask with no path",
    request: (id) => ({ user: { id, firstName: "New" }, updateMask: mask() }),
    field: "update_mask",
    description: "update_mask is required",
  },
  {
    name: "update_mask missing and first_name empty",
    request: (id) => ({ user: { id, firstName: "" } }),
    field: "update_mask",
    description: "update_mask is required",
  },
  ...["id", "nickname", "firstName", "user.first_name", "FIRST_NAME"].map(
    (path): UpdateCase => ({
      name: `update_mask path "${path}"`,
      request: (id) => ({ user: { id, firstName: "New" }, updateMask: mask(path) }),
      field: "update_mask",
      description: CANNOT(path),
    }),
  ),
  {
    name: "update_mask path \"nickname\" after first_name, first_name empty",
    request: (id) => ({ user: { id, firstName: "" }, updateMask: mask("first_name", "nickname") }),
    field: "update_mask",
    description: CANNOT("nickname"),
  },
  // The CreateUser rules of the three fields, each field masked alone.
  ...invalidCases
    .filter((c) => ["user.first_name", "user.last_name", "user.email"].includes(c.field))
    .map(
      (c): UpdateCase => ({
        name: c.name,
        request: (id) => ({ user: { ...c.request.user, id }, updateMask: mask(c.field.slice("user.".length)) }),
        field: c.field,
        description: c.description,
      }),
    ),
  // Several faults: the first in mask order.
  ...(
    [
      [["last_name", "first_name"], "user.last_name", required("user.last_name")],
      [["first_name", "last_name"], "user.first_name", required("user.first_name")],
      [["email", "last_name"], "user.email", BAD_EMAIL],
      [["last_name", "email"], "user.last_name", required("user.last_name")],
    ] as const
  ).map(
    ([paths, field, description]): UpdateCase => ({
      name: `mask [${paths.join(", ")}], first_name and last_name empty, email bad`,
      request: (id) => ({ user: { id, firstName: "", lastName: " ", email: "nope" }, updateMask: mask(...paths) }),
      field,
      description,
    }),
  ),
];

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
