import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UserSchema, type User } from "@switchyard/contracts";

// The facts of services/README.md, restated here on purpose: the suite checks them, it does not
// import them from an implementation.

/** The micro service name every users implementation registers. */
export const SERVICE_NAME = "users";
/** The contract, as the micro service metadata `contract` names it. */
export const CONTRACT = "users.v1";
/** The JetStream key-value bucket every users implementation shares. */
export const BUCKET = "users";
export const MAX_NAME = 100;
export const MAX_EMAIL = 254;

/** A new random UUID, version 4, lowercase. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function userKey(id: string): string {
  return `user.${id}`;
}

/** base64url of the lowercased email, without padding. */
export function emailKey(email: string): string {
  return `email.${Buffer.from(email.toLowerCase(), "utf8").toString("base64url")}`;
}

/** An email no other test uses, so tests sharing one bucket never collide. */
export function uniqueEmail(label: string): string {
  return `${label}.${randomUUID().slice(0, 8)}@example.com`;
}

/** A valid new user (no id); override fields to break it. */
export function newUser(fields: Partial<Pick<User, "id" | "firstName" | "lastName" | "email">> = {}): User {
  return create(UserSchema, { firstName: "Ada", lastName: "Lovelace", ...fields });
}
