/**
 * The error codes a service may reply with, and the HTTP status each one maps to (the same table as
 * grpc-gateway's). Services send the status as Nats-Service-Error-Code so NATS tooling shows a
 * meaningful number; the gateway trusts the code name first.
 */
export const ErrorCode = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

export function isErrorCode(value: string): value is ErrorCodeName {
  return Object.hasOwn(ErrorCode, value);
}

export function errorStatus(code: ErrorCodeName): number {
  return ErrorCode[code];
}
