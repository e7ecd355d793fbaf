import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { traceIdOf } from "@switchyard/telemetry";
import { GatewayError, PROBLEM_CONTENT_TYPE, toProblem } from "../errors.js";

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

/** The one way errors leave the gateway: application/problem+json, never a stack trace. */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = toGatewayError(err);
  if (error.code === "GATEWAY_INTERNAL") {
    const traceparent = request.headers["traceparent"];
    const traceId = request.span?.spanContext().traceId ?? traceIdOf(typeof traceparent === "string" ? traceparent : undefined);
    request.log.error({ err, reqId: request.id, ...(traceId === undefined ? {} : { trace_id: traceId }) }, "unhandled gateway error");
  }
  reply.code(error.status).type(PROBLEM_CONTENT_TYPE).header("x-request-id", request.id);
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
