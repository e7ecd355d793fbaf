import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import type { KV } from "@nats-io/kv";
import { UserSchema, UserService, type User } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";

// The facts of services/README.md, restated here on purpose: the suite checks them, it does not
// import them from an implementation.

/** The micro service name every users implementation registers. */
export const SERVICE_NAME = "users";
/** The deployment the suite names in SWITCHYARD_DEPLOYMENT for the instance under test. */
export const DEPLOYMENT = "conformance-users";
/** The subject of an RPC on the deployment's own endpoint (services/README.md, "Deployments"). */
export function deploymentSubject(rpcSubject: string): string {
  return `switchyard.deployment.${DEPLOYMENT}.${rpcSubject}`;
}

/** The unary RPCs: one request, one reply. */
export const unaryMethods = UserService.methods.filter((method) => method.methodKind === "unary");

/** The endpoints of the unary RPCs by subject: `<Rpc>` on the shared one, `<Rpc>-<deployment>` on the deployment's. */
export function endpointsBySubject(): Map<string, string> {
  return new Map(
    unaryMethods.flatMap((method) => [
      [methodSubject(method), method.name],
      [deploymentSubject(methodSubject(method)), `${method.name}-${DEPLOYMENT}`],
    ]),
  );
}

/** The JetStream key-value bucket every users implementation shares. */
export const BUCKET = "users";
export const MAX_NAME = 100;
export const MAX_EMAIL = 254;

/** A user id is at most this many characters of A-Z, a-z, 0-9, "-", "_" and "=" (a KV key token). */
export const MAX_ID = 64;
/** The description of an id in `field` that breaks that rule. */
export function idRule(field: string): string {
  return `${field} must be at most ${MAX_ID} characters of A-Z, a-z, 0-9, "-", "_" and "="`;
}
/** Longer than nats-server's control line (4,096 bytes) once part of a KV subject. */
export const LONG = "a".repeat(4_100);
/** Bytes no message decodes (a field tag whose varint never ends): refused before anything is run. */
export const MALFORMED = new Uint8Array([0xff, 0xff, 0xff]);
/** No user can have these ids: [what, id]. */
export const invalidIds: readonly (readonly [string, string])[] = [
  ["an id with a space", "no such user"],
  ["the id * (a NATS wildcard)", "*"],
  ["the id > (a NATS wildcard)", ">"],
  ["an id of two KV tokens", "a.b"],
  ["an id outside ASCII", "\u00fc"],
  ["an id with a line break", "x\r\nSwitchyard-Error-Field: user"],
  [`an id of ${MAX_ID + 1} characters`, "a".repeat(MAX_ID + 1)],
  ["an id of 4,100 characters", LONG],
];

/** A new random UUID, version 4, lowercase. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A Switchyard-Idempotency-Key as the gateway makes them: 64 lowercase hex digits, new each call. */
export function newIdempotencyKey(): string {
  return randomBytes(32).toString("hex");
}

/**
 * The id CreateUser gives the user of a request with an idempotency key: the UUID v8 (RFC 9562)
 * made of the first 16 bytes of SHA-256 of the key's 64 characters, lowercase.
 */
export function userIdOfKey(key: string): string {
  const bytes = createHash("sha256").update(key, "ascii").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

export function userKey(id: string): string {
  return `user.${id}`;
}

/** base64url of the email with A-Z mapped to a-z (and nothing else), without padding. */
export function emailKey(email: string): string {
  const folded = email.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  return `email.${Buffer.from(folded, "utf8").toString("base64url")}`;
}

/** An email no other test uses, so tests sharing one bucket never collide. */
export function uniqueEmail(label: string): string {
  return `${label}.${randomUUID().slice(0, 8)}@example.com`;
}

/** A valid new user (no id); override fields to break it. */
export function newUser(fields: Partial<Pick<User, "id" | "firstName" | "lastName" | "email">> = {}): User {
  return create(UserSchema, { firstName: "Ada", lastName: "Lovelace", ...fields });
}

/** A ListUsers page token: base64url of the id, without padding. */
export function pageToken(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

/** Compares ids as ListUsers orders them: by the bytes of their UTF-8 encoding. */
export function byIdBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Ids of one test, all sorting after every random UUID and after the ids of every earlier test. */
export interface IdNamespace {
  /** The common prefix of the ids (itself a valid id, before all of them). */
  readonly prefix: string;
  /** The id number `n`, UUID-shaped: ids sort by `n`. */
  id(n: number): string;
}

let namespaces = 0;

/**
 * A fresh id namespace. Every test of one run shares the bucket, so a listing test works on ids it
 * controls: `ffffffff-ffff-4fff-<8000 + k>-<n>` sorts after any random UUID (unless it begins with
 * 32 one-bits) and, k growing with each call, after the namespaces of the tests before it. Listing
 * from `pageToken(prefix)` then sees this test's users only, as long as the tests run one by one
 * (node:test's default). Call it inside the test, not when registering it.
 */
export function newIdNamespace(): IdNamespace {
  namespaces += 1;
  const prefix = `ffffffff-ffff-4fff-${(0x8000 + namespaces).toString(16)}`;
  return { prefix, id: (n) => `${prefix}-${n.toString(16).padStart(12, "0")}` };
}

/** Stores users as another implementation would: `user.<id>` = the binary message, all at once. */
export async function storeUsers(kv: KV, users: readonly User[]): Promise<void> {
  await Promise.all(users.map((user) => kv.put(userKey(user.id), toBinary(UserSchema, user))));
}

/** Asserts that the key holds no value (never written, deleted or purged). */
export async function assertNoKey(kv: KV, key: string, message: string): Promise<void> {
  const entry = await kv.get(key);
  assert.ok(entry === null || entry.operation !== "PUT", `${message}: ${key} still holds ${JSON.stringify(entry?.string())}`);
}
