import { isErrorCode } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";

/**
 * What becomes of a key once its request has an outcome (Stripe's rule: store what executed,
 * release what did not):
 * - "store": the service ran the request and answered, success or error (4xx and 5xx alike,
 *   BAD_SERVICE_REPLY too): the answer is stored and every retry gets it back.
 * - "release": the request certainly did not run (no service instance listened, it never left the
 *   gateway, or the service said INVALID_ARGUMENT, UNAVAILABLE or RESOURCE_EXHAUSTED, which by
 *   contract it answers only before applying anything): the key is freed so a retry runs it. A
 *   request that breaks a rule is refused this way whether the gateway or the service checks it,
 *   so the corrected request can be sent again with the same key.
 * - "unknown": it may have run (the gateway gave up waiting: SERVICE_TIMEOUT; the connection broke:
 *   NATS_UNAVAILABLE; or the gateway failed): the key stays in progress. A reply that comes late
 *   is still captured and replayed to the next retry; without one, a retry takes the key over once
 *   the request timeout and the margin have passed.
 */
export type Outcome = "store" | "release" | "unknown";

const RELEASED_SERVICE_CODES = new Set(["INVALID_ARGUMENT", "UNAVAILABLE", "RESOURCE_EXHAUSTED"]);
const UNKNOWN_GATEWAY_CODES = new Set(["SERVICE_TIMEOUT", "NATS_UNAVAILABLE", "GATEWAY_INTERNAL"]);

export function outcomeOf(err: unknown): Outcome {
  if (!GatewayError.is(err)) return "unknown";
  if (isErrorCode(err.code)) return RELEASED_SERVICE_CODES.has(err.code) ? "release" : "store";
  if (err.code === "BAD_SERVICE_REPLY") return "store";
  if (UNKNOWN_GATEWAY_CODES.has(err.code)) return "unknown";
  // NO_SERVICE, PAYLOAD_TOO_LARGE, OVERLOADED, NOT_READY and every refusal before sending.
  return "release";
}
