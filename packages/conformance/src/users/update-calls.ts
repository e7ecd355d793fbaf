import assert from "node:assert/strict";
import { create, fromBinary } from "@bufbuild/protobuf";
import { FieldMaskSchema, type FieldMask } from "@bufbuild/protobuf/wkt";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { expectOk } from "../expect.js";
import type { RpcReply } from "../rpc.js";
import { emailKey, newUser, userKey } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

// The calls and checks of the UpdateUser tests, some of which other tests use too: create a user,
// update it, read it back, read an email claim.

const { createUser, getUser, updateUser } = UserService.method;

export type UserFields = Partial<Pick<User, "id" | "firstName" | "lastName" | "email">>;

export function mask(...paths: string[]): FieldMask {
  return create(FieldMaskSchema, { paths });
}

/** Sends UpdateUser with the user's fields and the mask paths. */
export function update(ctx: UsersSuiteContext, user: UserFields, ...paths: string[]): Promise<RpcReply> {
  return ctx.rpc.call(updateUser, { user, updateMask: mask(...paths) });
}

/** Creates a user with CreateUser and returns it as it must be stored. */
export async function createdUser(ctx: UsersSuiteContext, fields: UserFields = {}): Promise<User> {
  const user = newUser(fields);
  const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user }));
  return create(UserSchema, { ...user, id });
}

/** The user as GetUser reads it. */
export async function readBack(ctx: UsersSuiteContext, id: string): Promise<User | undefined> {
  return expectOk(getUser, await ctx.rpc.call(getUser, { id })).user;
}

/** The id an email key names, or undefined when the email is free. */
export async function claimOf(ctx: UsersSuiteContext, email: string): Promise<string | undefined> {
  const entry = await (await ctx.kv()).get(emailKey(email));
  return entry !== null && entry.operation === "PUT" ? entry.string() : undefined;
}

/** Asserts a success reply whose user is `expected`, and that GetUser and user.<id> hold it too. */
export async function expectUpdated(ctx: UsersSuiteContext, reply: RpcReply, expected: User): Promise<void> {
  const replied = expectOk(updateUser, reply).user;
  assert.deepEqual(replied, expected, "UpdateUser replies the user as stored");
  assert.deepEqual(await readBack(ctx, expected.id), expected, "GetUser reads the updated user");
  const entry = await (await ctx.kv()).get(userKey(expected.id));
  assert.ok(entry !== null && entry.operation === "PUT", `${userKey(expected.id)} is stored`);
  assert.deepEqual(fromBinary(UserSchema, entry.value), expected, `${userKey(expected.id)} holds the updated user`);
}

/** The proto field name of a User field of the generated type (firstName → first_name). */
export function toPath(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
