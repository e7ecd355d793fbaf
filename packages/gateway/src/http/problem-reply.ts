import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { traceIdOf } from "@switchyard/telemetry";
import { GatewayError, PROBLEM_CONTENT_TYPE, toProblem } from "../errors.js";
import { sendRpcError } from "../rpc/rpc-reply.js";

/** Every 503 says when to come back (RFC 9110 §10.2.3); set once at start-up from RETRY_AFTER_S. */
let retryAfter = "1";

export function setRetryAfter(seconds: number): void {
  retryAfter = String(seconds);
}

/** Fastify's own errors, by code, in the gateway's terms. */
const fastifyCodes: Record<string, () => GatewayError> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new GatewayError("UNSUPPORTED_MEDIA_TYPE", "send the body as application/json", "content-type"),
  FST_ERR_CTP_INVALID_TYPE: () => new GatewayError("UNSUPPORTED_MEDIA_TYPE", "the Content-Type header is invalid", "content-type"),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new GatewayError("PAYLOAD_TOO_LARGE", "the request body is over the size limit"),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new GatewayError("MALFORMED_JSON", "the body is empty but Content-Type is application/json"),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new GatewayError("MALFORMED_JSON", "the body is not valid JSON"),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new GatewayError("MALFORMED_JSON", "Content-Length does not match the body"),
  FST_ERR_BAD_URL: () => new GatewayError("BAD_REQUEST", "the URL is not valid: a % escape does not decode"),
};

/**
 * The one way errors leave the gateway: application/problem+json, never a stack trace; on an RPC
 * path, the error in the call's own protocol (Connect or gRPC-Web).
 */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toGatewayError(err);
  if (error.code === "GATEWAY_INTERNAL") {
    const traceparent = request.headers["traceparent"];
    const traceId = request.span?.spanContext().traceId ?? traceIdOf(typeof traceparent === "string" ? traceparent : undefined);
    request.log.error({ err, reqId: request.id, ...(traceId === undefined ? {} : { trace_id: traceId }) }, "unhandled gateway error");
  }
  if (request.rpcCall !== undefined) return sendRpcError(request.rpcCall, reply.header("x-request-id", request.id), error, retryAfter);
  reply.code(error.status).type(PROBLEM_CONTENT_TYPE).header("x-request-id", request.id);
  if (error.status === 503) reply.header("retry-after", retryAfter);
  if (error.headers !== undefined) reply.headers(error.headers);
  return reply.send(JSON.stringify(toProblem(error, request.id)));
}

function toGatewayError(err: unknown): GatewayError {
  if (GatewayError.is(err)) return err;
  const fastifyError = err as Partial<FastifyError> | undefined;
  const map = fastifyError?.code === undefined ? undefined : fastifyCodes[fastifyError.code];
  if (map !== undefined) return map();
  const status = fastifyError?.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new GatewayError("BAD_REQUEST", "the request is malformed");
  return new GatewayError("GATEWAY_INTERNAL", "the gateway failed to handle the request");
}

/** Node's errors before a request exists (HTTP parse errors, header overflow, timeouts), by code. */
function clientErrorOf(err: NodeJS.ErrnoException): GatewayError {
  switch (err.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new GatewayError("REQUEST_TIMEOUT", "the request did not arrive in time");
    case "HPE_HEADER_OVERFLOW":
      return new GatewayError("HEADERS_TOO_LARGE", "the request's headers are over the size limit");
    default:
      return new GatewayError("BAD_REQUEST", "the request is not valid HTTP/1.1");
  }
}

/**
 * Fastify's clientErrorHandler: the same problem+json as every other error, then the socket is
 * closed, since what follows on it cannot be parsed.
 */
export function replyToClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const error = clientErrorOf(err);
    const body = JSON.stringify(toProblem(error));
    socket.write(
      `HTTP/1.1 ${error.status} ${error.status === 408 ? "Request Timeout" : error.status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
