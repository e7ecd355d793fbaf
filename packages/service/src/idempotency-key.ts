import type { MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

/** Switchyard-Idempotency-Key as the gateway makes it: a SHA-256 in lowercase hex. */
const IDEMPOTENCY_KEY = /^[0-9a-f]{64}$/;

/**
 * The operation token a request carries (Switchyard-Idempotency-Key), or undefined. Only a
 * well-formed token counts: anything else is no token, so a handler never keys a write on it.
 */
export function idempotencyKeyOf(headers: MsgHdrs | undefined): string | undefined {
  const value = headers?.get(Headers.idempotencyKey);
  return value !== undefined && IDEMPOTENCY_KEY.test(value) ? value : undefined;
}
