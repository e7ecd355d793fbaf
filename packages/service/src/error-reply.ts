import type { DescMethod } from "@bufbuild/protobuf";
import type { ServiceMsg } from "@nats-io/services";
import type { MsgHdrs } from "@nats-io/transport-node";
import { errorStatus, Headers, methodSubject } from "@switchyard/protocol";
import { traceIdOf } from "@switchyard/telemetry";
import { headerSafe } from "./header-safe.js";
import type { Logger } from "./logger.js";
import { ServiceError } from "./service-error.js";

/**
 * The errors nats.js raises when NATS or JetStream is briefly out of reach (a restart, a reconnect):
 * the request may well succeed when retried, so they are UNAVAILABLE (503), not INTERNAL.
 */
const UNAVAILABLE_ERRORS = new Set([
  "ConnectionError",
  "ClosedConnectionError",
  "DrainingConnectionError",
  "RequestError",
  "TimeoutError",
  "NoResponders",
  "JetStreamNotEnabled",
]);

/** What a handler's failure is answered with: its ServiceError, else UNAVAILABLE or INTERNAL (logged). */
export function toServiceError(err: unknown, method: DescMethod, msg: ServiceMsg, logger: Logger): ServiceError {
  if (ServiceError.is(err)) return err;
  logger.error(`${methodSubject(method)} failed`, err, requestFields(msg));
  if (err instanceof Error && UNAVAILABLE_ERRORS.has(err.name)) {
    return new ServiceError("UNAVAILABLE", "a backing system is unavailable; retry shortly");
  }
  return new ServiceError("INTERNAL", "internal error");
}

/** An error reply: empty body, the error headers of services/README.md, and the headers in `h`. */
export function respondError(msg: ServiceMsg, err: ServiceError, h: MsgHdrs): void {
  h.set(Headers.errorReason, err.code);
  if (err.field !== undefined) h.set(Headers.errorField, headerSafe(err.field));
  msg.respondError(errorStatus(err.code), headerSafe(err.message), undefined, { headers: h });
}

/** What a log line about one request names: its request id and trace id, when it has them. */
export function requestFields(msg: ServiceMsg): Record<string, string> {
  const reqId = msg.headers?.get(Headers.requestId);
  const traceId = traceIdOf(msg.headers?.get(Headers.traceparent));
  return { ...(reqId ? { reqId } : {}), ...(traceId ? { trace_id: traceId } : {}) };
}
