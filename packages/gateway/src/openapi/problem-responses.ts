import { allErrorCodes, errorStatusOf, errorTitleOf, PROBLEM_CONTENT_TYPE, type GatewayErrorCode } from "../errors.js";
import { REQUEST_ID as REQUEST_ID_PATTERN } from "../headers/request-headers.js";
import type { HeaderObject, ParameterObject, Reference, ResponseObject, SchemaObject } from "./openapi-types.js";

export const PROBLEM_SCHEMA = "Problem";
export const REQUEST_ID = "RequestId";
export const IDEMPOTENCY_KEY_PARAMETER = "IdempotencyKey";

/** The shape of every error: RFC 9457 problem details with the gateway's stable code (errors.ts). */
export function problemSchema(): SchemaObject {
  return {
    type: "object",
    description: "An error, as application/problem+json (RFC 9457), with a stable code.",
    required: ["type", "title", "status", "detail", "code"],
    properties: {
      type: { type: "string", description: "Always about:blank: the code says what happened." },
      title: { type: "string", description: "The code's title, e.g. Invalid field." },
      status: { type: "integer", description: "The HTTP status, repeated." },
      detail: { type: "string", description: "What went wrong, safe to show: never a stack trace or an internal address." },
      code: { type: "string", enum: [...allErrorCodes], description: "The stable error code." },
      field: { type: "string", description: "The request field at fault, as a proto field path (user.first_name)." },
      requestId: { type: "string", description: "The request's id, as in the x-request-id response header." },
    },
  };
}

/** Codes that cannot come from a documented operation: they answer paths and methods with none. */
const routingCodes: readonly GatewayErrorCode[] = ["ROUTE_NOT_FOUND", "METHOD_NOT_ALLOWED"];
/** Codes about a request body, possible only on routes that read one. */
const bodyCodes: readonly GatewayErrorCode[] = ["PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "MALFORMED_JSON"];

/** The name of the shared response for a status: Problem400. */
export function problemResponseName(status: number): string {
  return `Problem${status}`;
}

/** One response per error status, listing its codes, for components.responses. */
export function problemResponses(): Record<string, ResponseObject> {
  const byStatus = new Map<number, GatewayErrorCode[]>();
  for (const code of allErrorCodes) {
    const status = errorStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ResponseObject> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status)!;
    const list = codes.map((c) => `- \`${c}\`: ${errorTitleOf(c)}`).join("\n");
    responses[problemResponseName(status)] = {
      description: `Error ${status}, with one of these codes:\n\n${list}`,
      headers: { "x-request-id": { $ref: `#/components/headers/${REQUEST_ID}` } },
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } } },
    };
  }
  return responses;
}

/**
 * The error statuses an operation can answer with: every status a service may reply with (any RPC
 * may return any code), the gateway's own, and the body ones only where there is a body.
 */
export function operationErrorResponses(hasBody: boolean): Record<string, Reference> {
  const statuses = new Set<number>();
  for (const code of allErrorCodes) {
    if (routingCodes.includes(code)) continue;
    if (!hasBody && bodyCodes.includes(code)) continue;
    statuses.add(errorStatusOf(code));
  }
  const out: Record<string, Reference> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    out[String(status)] = { $ref: `#/components/responses/${problemResponseName(status)}` };
  }
  return out;
}

export function requestIdHeader(): HeaderObject {
  return {
    description: "The request's id: the one sent in x-request-id when well formed, otherwise a new one (a NUID).",
    schema: { type: "string" },
  };
}

/** On operations that are not idempotent: the IETF httpapi draft's header, with Stripe's semantics. */
export function idempotencyKeyParameter(): ParameterObject {
  return {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Makes a retry safe: the first request with a key runs and its answer is kept (IDEMPOTENCY_TTL_S, default 24 h); " +
      "a retry with the same key and request gets that answer again, marked `Idempotent-Replayed: true`; " +
      "409 IDEMPOTENCY_KEY_IN_USE while the first still runs; 422 IDEMPOTENCY_KEY_MISMATCH for another request with the key.",
    schema: { type: "string", minLength: 1, maxLength: 257 },
  };
}

export function requestIdParameter(): ParameterObject {
  return {
    name: "x-request-id",
    in: "header",
    required: false,
    description: "An id to correlate this request with the gateway's and the service's logs; echoed back.",
    schema: { type: "string", pattern: REQUEST_ID_PATTERN.source },
  };
}
