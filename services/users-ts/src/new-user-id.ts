import { createHash, randomUUID } from "node:crypto";

/**
 * The id of a new user (services/README.md, CreateUser): a random UUID v4, or, for a request with
 * an idempotency key, the UUID v8 (RFC 9562) made of the first 16 bytes of SHA-256 of the key's 64
 * characters, so every attempt of one operation, in any implementation, creates the same user.
 */
export function newUserId(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  const bytes = createHash("sha256").update(idempotencyKey, "ascii").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
