import type { GatewayError, GatewayErrorCode } from "../errors.js";

/** The status codes of the Connect protocol; gRPC names the same sixteen codes in SCREAMING_CASE. */
export type ConnectCode =
  | "canceled"
  | "unknown"
  | "invalid_argument"
  | "deadline_exceeded"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition"
  | "aborted"
  | "out_of_range"
  | "unimplemented"
  | "internal"
  | "unavailable"
  | "data_loss"
  | "unauthenticated";

// One row per code, so a new gateway or service code does not compile until it is mapped here.
const connectCodes: Record<GatewayErrorCode, ConnectCode> = {
  BAD_REQUEST: "invalid_argument",
  MALFORMED_JSON: "invalid_argument",
  INVALID_FIELD: "invalid_argument",
  INVALID_POLICY: "invalid_argument",
  INVALID_IDEMPOTENCY_KEY: "invalid_argument",
  IDEMPOTENCY_KEY_REQUIRED: "invalid_argument",
  AUTH_REQUIRED: "unauthenticated",
  INVALID_TOKEN: "unauthenticated",
  INSUFFICIENT_SCOPE: "permission_denied",
  ADMIN_FORBIDDEN: "permission_denied",
  ROUTE_NOT_FOUND: "unimplemented",
  METHOD_NOT_ALLOWED: "unimplemented",
  BINDING_NOT_SERVED: "unimplemented",
  UNKNOWN_SERVICE: "unimplemented",
  UNSUPPORTED_MEDIA_TYPE: "unimplemented",
  REVISION_NOT_FOUND: "not_found",
  REVISION_CONFLICT: "aborted",
  IDEMPOTENCY_KEY_IN_USE: "aborted",
  REQUEST_TIMEOUT: "deadline_exceeded",
  SERVICE_TIMEOUT: "deadline_exceeded",
  PAYLOAD_TOO_LARGE: "resource_exhausted",
  RATE_LIMITED: "resource_exhausted",
  HEADERS_TOO_LARGE: "resource_exhausted",
  IDEMPOTENCY_KEY_MISMATCH: "failed_precondition",
  BAD_SERVICE_REPLY: "internal",
  GATEWAY_INTERNAL: "internal",
  NO_SERVICE: "unavailable",
  NATS_UNAVAILABLE: "unavailable",
  NOT_READY: "unavailable",
  OVERLOADED: "unavailable",
  AUTH_UNAVAILABLE: "unavailable",
  IDEMPOTENCY_STORE_UNAVAILABLE: "unavailable",
  POLICY_STORE_UNAVAILABLE: "unavailable",
  // Service codes are gRPC code names: each has a Connect twin (gRPC spells CANCELLED with two Ls).
  INVALID_ARGUMENT: "invalid_argument",
  FAILED_PRECONDITION: "failed_precondition",
  OUT_OF_RANGE: "out_of_range",
  UNAUTHENTICATED: "unauthenticated",
  PERMISSION_DENIED: "permission_denied",
  NOT_FOUND: "not_found",
  ALREADY_EXISTS: "already_exists",
  ABORTED: "aborted",
  RESOURCE_EXHAUSTED: "resource_exhausted",
  CANCELLED: "canceled",
  INTERNAL: "internal",
  UNKNOWN: "unknown",
  DATA_LOSS: "data_loss",
  UNIMPLEMENTED: "unimplemented",
  UNAVAILABLE: "unavailable",
  DEADLINE_EXCEEDED: "deadline_exceeded",
};

/** The HTTP status of a unary Connect error (connectrpc.com/docs/protocol, "Error Codes"). */
const httpStatuses: Record<ConnectCode, number> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

/** The numeric grpc-status of each code. */
const grpcStatuses: Record<ConnectCode, number> = {
  canceled: 1,
  unknown: 2,
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  already_exists: 6,
  permission_denied: 7,
  resource_exhausted: 8,
  failed_precondition: 9,
  aborted: 10,
  out_of_range: 11,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  data_loss: 15,
  unauthenticated: 16,
};

export function connectCodeOf(code: GatewayErrorCode): ConnectCode {
  return connectCodes[code];
}

export function connectHttpStatus(code: ConnectCode): number {
  return httpStatuses[code];
}

export function grpcStatusOf(code: ConnectCode): number {
  return grpcStatuses[code];
}

/**
 * The message an RPC client sees. RPC errors have no `field` member, so the field at fault goes
 * into the message itself unless the detail already opens with it.
 */
export function rpcMessageOf(err: GatewayError): string {
  if (err.field === undefined || err.detail.startsWith(err.field)) return err.detail;
  return `${err.field}: ${err.detail}`;
}
