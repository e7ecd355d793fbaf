import { toBinary } from "@bufbuild/protobuf";
import type { Msg, MsgHdrs } from "@nats-io/transport-node";
import type { Span, Tracer } from "@opentelemetry/api";
import { Headers } from "@switchyard/protocol";
import { traceparentOf } from "@switchyard/telemetry";
import type { FastifyReply, FastifyRequest } from "fastify";
import { setIdentityHeaders } from "../auth/index.js";
import { GatewayError } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import { natsRequestHeaders } from "../headers/request-headers.js";
import { IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED } from "../idempotency/index.js";
import type { Route } from "../routes/route.js";
import type { RpcCall } from "../rpc/rpc-call.js";
import { rpcDeadlineMs } from "../rpc/rpc-deadline.js";
import { sendRpcReply } from "../rpc/rpc-reply.js";
import { rpcPayload } from "../rpc/rpc-request.js";
import { rpcStreamFormat } from "../rpc/rpc-stream-format.js";
import { requestFromJson } from "../transcode/json-request.js";
import { replyToJson } from "../transcode/json-reply.js";
import { isProtobuf, wantsProtobuf } from "../transcode/media-types.js";
import { replyToProtobuf, requestFromProtobuf } from "../transcode/proto-passthrough.js";
import { validateRequest } from "../transcode/validate.js";
import type { Forwarding } from "./catch-all-route.js";
import { endClientSpan, startClientSpan } from "./request-tracing.js";
import { replyWithStream } from "./stream-reply.js";

export const NO_PARAMS = new Map<string, string>();

/** A REST request on a matched route: transcoded, forwarded (through the idempotency store when it applies), answered. */
export async function forwardRest(f: Forwarding, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { admission, authenticator, idempotency, json, tracer } = f;
  const { route, params } = request.routeMatch!;
  const query = request.query as Record<string, string | string[]>;
  // Protobuf bodies pass through undecoded; JSON is transcoded, and checked against the contract's
  // field rules here only with VALIDATE_AT_GATEWAY: the service checks every request either way.
  const payload = isProtobuf(request.headers["content-type"])
    ? requestFromProtobuf(route, request.body as Buffer | undefined, params, query, json)
    : toBinary(route.method.input, validateRequest(route.method.input, requestFromJson(route, request.body, params, query, json), json));
  dropBody(request);
  const headers = natsRequestHeaders(request.headers, request.id);
  if (authenticator !== undefined) setIdentityHeaders(headers, request.identity);
  if (route.method.methodKind === "server_streaming") {
    return replyWithStream(request, reply, route, payload, headers, params, { streams: f.streams, admission, tracer });
  }
  const send = (replyTo?: string) => {
    const forward = () => f.forwarder.forward(route, payload, headers, request.headers, params, replyTo);
    return tracer === undefined ? forward() : tracedForward(tracer, request.span!, forward, route, headers);
  };
  const key = request.headers[IDEMPOTENCY_KEY];
  let answer: Msg;
  admission.inFlight++;
  try {
    if (idempotency !== undefined && idempotency.handles(route, key)) {
      const { response, replayed } = await idempotency.run(
        { key, scope: request.identity?.subject ?? "", route, payload, accept: request.headers.accept, requestId: request.id },
        (capture) => {
          if (capture !== undefined) headers.set(Headers.idempotencyKey, capture.serviceKey);
          return send(capture?.replyTo);
        },
      );
      // The stored headers carry the content type as first sent, so a replay is the same bytes.
      reply.code(response.status).headers(response.headers).header("x-request-id", request.id);
      if (replayed) reply.header(IDEMPOTENT_REPLAYED, "true");
      return reply.send(Buffer.from(response.body));
    }
    answer = await send();
  } finally {
    admission.inFlight--;
  }
  const http = httpFromReply(answer.headers);
  reply.code(http.status).headers(http.headers).header("x-request-id", request.id);
  const binary = wantsProtobuf(request.headers.accept);
  if (binary !== undefined) return reply.type(binary).send(replyToProtobuf(route, answer.data));
  return reply.type("application/json").send(replyToJson(route, answer.data, json));
}

/**
 * A Connect or gRPC-Web call: the same forwarding as a REST request (traffic policy, retries,
 * metrics, tracing, auth), with the client's deadline when it gives a shorter one. Idempotency-Key
 * is a REST header: these protocols' retries are the client's.
 */
export async function forwardRpc(f: Forwarding, call: RpcCall, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { admission, authenticator, json, tracer } = f;
  const { route } = call;
  const payload = rpcPayload(call, request, json, f.config.bodyLimitBytes);
  dropBody(request);
  const headers = natsRequestHeaders(request.headers, request.id);
  if (authenticator !== undefined) setIdentityHeaders(headers, request.identity);
  reply.header("x-request-id", request.id);
  if (route.method.methodKind === "server_streaming") {
    return replyWithStream(request, reply, route, payload, headers, NO_PARAMS, { streams: f.streams, admission, tracer }, rpcStreamFormat(call, json));
  }
  const deadlineMs = rpcDeadlineMs(call, request.headers);
  const forward = () => f.forwarder.forward(route, payload, headers, request.headers, NO_PARAMS, undefined, deadlineMs);
  admission.inFlight++;
  let answer: Msg;
  try {
    answer = await (tracer === undefined ? forward() : tracedForward(tracer, request.span!, forward, route, headers));
  } finally {
    admission.inFlight--;
  }
  return sendRpcReply(call, reply, answer, json, request.headers["accept-encoding"]);
}

/**
 * Lets the body as read (a parsed JSON tree, or bytes) go once the payload is made. Fastify's request
 * holds it until the answer is sent, a whole NATS round trip: long enough for it to outlive two
 * young-generation collections and be promoted, to be freed only by a full mark-compact.
 */
function dropBody(request: FastifyRequest): void {
  request.body = undefined;
}

/** The NATS request inside its client span, whose context the service continues. */
async function tracedForward(tracer: Tracer, server: Span, forward: () => Promise<Msg>, route: Route, headers: MsgHdrs): Promise<Msg> {
  const span = startClientSpan(tracer, server, route);
  headers.set(Headers.traceparent, traceparentOf(span));
  try {
    const answer = await forward();
    endClientSpan(span, { deployment: answer.headers?.get(Headers.deployment) });
    return answer;
  } catch (err) {
    const error = GatewayError.is(err) ? err : undefined;
    endClientSpan(span, { errorCode: error?.code ?? "GATEWAY_INTERNAL", serverError: (error?.status ?? 500) >= 500 });
    throw err;
  }
}
