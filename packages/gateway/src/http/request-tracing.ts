import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { parentContext, RPC_SYSTEM, SpanAttr } from "@switchyard/telemetry";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Route } from "../routes/route.js";

/**
 * The gateway's spans, as OpenTelemetry's HTTP and messaging conventions name them: an HTTP server
 * span per request, continuing the client's W3C trace context, and inside it a client span for the
 * NATS request, whose context travels to the service in `traceparent`. Only made when tracing is on.
 */
export function startServerSpan(tracer: Tracer, request: FastifyRequest, route: Route | undefined): Span {
  const traceparent = request.headers["traceparent"];
  const tracestate = request.headers["tracestate"];
  const parent = parentContext(typeof traceparent === "string" ? traceparent : undefined, typeof tracestate === "string" ? tracestate : undefined);
  const name = route === undefined ? request.method : `${request.method} ${route.template.source}`;
  const q = request.url.indexOf("?");
  return tracer.startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [SpanAttr.httpMethod]: request.method,
        [SpanAttr.urlPath]: q === -1 ? request.url : request.url.slice(0, q),
        [SpanAttr.urlScheme]: request.protocol,
        [SpanAttr.requestId]: request.id,
        ...(route === undefined ? {} : { [SpanAttr.httpRoute]: route.template.source }),
        ...(request.headers["user-agent"] === undefined ? {} : { [SpanAttr.userAgent]: request.headers["user-agent"] }),
      },
    },
    parent,
  );
}

export function endServerSpan(span: Span, reply: FastifyReply): void {
  span.setAttribute(SpanAttr.httpStatus, reply.statusCode);
  // A server span is an error only when the server failed (5xx), as the HTTP conventions say.
  if (reply.statusCode >= 500) {
    span.setAttribute(SpanAttr.errorType, String(reply.statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** The NATS request's span: destination is the RPC's subject, never an inbox or a deployment's subject. */
export function startClientSpan(tracer: Tracer, server: Span, route: Route): Span {
  return tracer.startSpan(
    `send ${route.subject}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [SpanAttr.messagingSystem]: "nats",
        [SpanAttr.messagingDestination]: route.subject,
        [SpanAttr.messagingOperationName]: "send",
        [SpanAttr.messagingOperationType]: "send",
        [SpanAttr.rpcSystem]: RPC_SYSTEM,
        [SpanAttr.rpcService]: route.method.parent.typeName,
        [SpanAttr.rpcMethod]: route.method.name,
      },
    },
    trace.setSpan(parentContext(undefined, undefined), server),
  );
}

/** Ends the NATS span with what became of the request: the deployment that answered, or the error code. */
export function endClientSpan(span: Span, outcome: { deployment?: string | undefined; errorCode?: string; serverError?: boolean }): void {
  if (outcome.deployment) span.setAttribute(SpanAttr.deployment, outcome.deployment);
  if (outcome.errorCode !== undefined) {
    span.setAttribute(SpanAttr.errorType, outcome.errorCode);
    if (outcome.serverError) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
