import { ErrorCode, isErrorCode, type ErrorCodeName } from "@switchyard/protocol";

/**
 * Every error the gateway answers with: a stable code, its HTTP status and a title. Codes raised by
 * the gateway itself come first; the service codes (INVALID_ARGUMENT, NOT_FOUND, ...) follow the
 * shared table in @switchyard/protocol.
 */
const gatewayCodes = {
  BAD_REQUEST: { status: 400, title: "Bad request" },
  MALFORMED_JSON: { status: 400, title: "Malformed JSON" },
  INVALID_FIELD: { status: 400, title: "Invalid field" },
  INVALID_POLICY: { status: 400, title: "Invalid traffic policy" },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: "Invalid Idempotency-Key" },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, title: "Idempotency-Key required" },
  AUTH_REQUIRED: { status: 401, title: "Authentication required" },
  INVALID_TOKEN: { status: 401, title: "Invalid token" },
  INSUFFICIENT_SCOPE: { status: 403, title: "Insufficient scope" },
  ADMIN_FORBIDDEN: { status: 403, title: "Admin change not allowed here" },
  ROUTE_NOT_FOUND: { status: 404, title: "Route not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  BINDING_NOT_SERVED: { status: 501, title: "Binding not served" },
  UNKNOWN_SERVICE: { status: 404, title: "Unknown service" },
  REVISION_NOT_FOUND: { status: 404, title: "Revision not found" },
  REVISION_CONFLICT: { status: 409, title: "Revision conflict" },
  IDEMPOTENCY_KEY_IN_USE: { status: 409, title: "Idempotency-Key in use" },
  REQUEST_TIMEOUT: { status: 408, title: "Request timeout" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Payload too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  IDEMPOTENCY_KEY_MISMATCH: { status: 422, title: "Idempotency-Key reused with another request" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  HEADERS_TOO_LARGE: { status: 431, title: "Request headers too large" },
  BAD_SERVICE_REPLY: { status: 502, title: "Bad reply from service" },
  NO_SERVICE: { status: 503, title: "No service available" },
  NATS_UNAVAILABLE: { status: 503, title: "Message bus unavailable" },
  NOT_READY: { status: 503, title: "Not ready" },
  OVERLOADED: { status: 503, title: "Overloaded" },
  AUTH_UNAVAILABLE: { status: 503, title: "Authentication keys unavailable" },
  IDEMPOTENCY_STORE_UNAVAILABLE: { status: 503, title: "Idempotency store unavailable" },
  POLICY_STORE_UNAVAILABLE: { status: 503, title: "Traffic policy store unavailable" },
  SERVICE_TIMEOUT: { status: 504, title: "Service timed out" },
  GATEWAY_INTERNAL: { status: 500, title: "Internal gateway error" },
} as const;

const serviceTitles: Record<ErrorCodeName, string> = {
  INVALID_ARGUMENT: "Invalid argument",
  FAILED_PRECONDITION: "Failed precondition",
  OUT_OF_RANGE: "Out of range",
  UNAUTHENTICATED: "Unauthenticated",
  PERMISSION_DENIED: "Permission denied",
  NOT_FOUND: "Not found",
  ALREADY_EXISTS: "Already exists",
  ABORTED: "Aborted",
  RESOURCE_EXHAUSTED: "Resource exhausted",
  CANCELLED: "Cancelled",
  INTERNAL: "Service error",
  UNKNOWN: "Service error",
  DATA_LOSS: "Service error",
  UNIMPLEMENTED: "Not implemented",
  UNAVAILABLE: "Service unavailable",
  DEADLINE_EXCEEDED: "Service deadline exceeded",
};

export type GatewayErrorCode = keyof typeof gatewayCodes | ErrorCodeName;

export function errorStatusOf(code: GatewayErrorCode): number {
  return isErrorCode(code) ? ErrorCode[code] : gatewayCodes[code].status;
}

export function errorTitleOf(code: GatewayErrorCode): string {
  return isErrorCode(code) ? serviceTitles[code] : gatewayCodes[code].title;
}

/** Every code, for documentation and the test that checks each one is produced somewhere. */
export const allErrorCodes: readonly GatewayErrorCode[] = [
  ...(Object.keys(gatewayCodes) as (keyof typeof gatewayCodes)[]),
  ...(Object.keys(ErrorCode) as ErrorCodeName[]),
];

/** An error the gateway answers with as application/problem+json. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly status: number;

  constructor(
    readonly code: GatewayErrorCode,
    /** Safe to show to the client: never a stack, a subject or an internal address. */
    readonly detail: string,
    readonly field?: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(detail);
    this.status = errorStatusOf(code);
  }

  static is(err: unknown): err is GatewayError {
    return err instanceof Error && err.name === "GatewayError";
  }
}

/** RFC 9457 problem details, with our stable `code` and the `field` at fault. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: GatewayErrorCode;
  field?: string;
  requestId?: string;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function toProblem(err: GatewayError, requestId?: string): Problem {
  const problem: Problem = {
    type: "about:blank",
    title: errorTitleOf(err.code),
    status: err.status,
    detail: err.detail,
    code: err.code,
  };
  if (err.field !== undefined) problem.field = err.field;
  if (requestId !== undefined) problem.requestId = requestId;
  return problem;
}
