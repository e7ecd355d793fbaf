import { PassThrough } from "node:stream";
import type { Msg, MsgHdrs } from "@nats-io/transport-node";
import type { Span, Tracer } from "@opentelemetry/api";
import { Headers } from "@switchyard/protocol";
import { traceparentOf } from "@switchyard/telemetry";
import type { FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, toProblem } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import type { StreamCall } from "../nats/stream-call.js";
import type { StreamCaller } from "../nats/stream-caller.js";
import type { Route } from "../routes/route.js";
import { replyToJson } from "../transcode/json-reply.js";
import { endClientSpan, startClientSpan } from "./request-tracing.js";

/**
 * How one stream is written over HTTP: grpc-gateway's newline-delimited JSON or server-sent events
 * on REST routes; Connect streaming or gRPC-Web frames on RPC paths (rpc/rpc-stream-format.ts).
 */
export interface StreamFormat {
  readonly contentType: string;
  /** Answer 200 whatever HTTP status the service asks for: the protocol says how the call went. */
  readonly alwaysOk?: boolean;
  message(data: Uint8Array, seq: number): string | Uint8Array;
  /** When the stream fails mid-way. */
  error(err: GatewayError, requestId: string): string | Uint8Array;
  /** After the last message of a successful stream. */
  end(): string | Uint8Array | undefined;
}

/** One JSON object a line: `{"result": <message>}`, and `{"error": <problem>}` when the stream fails mid-way. */
const ndjson = (route: Route): StreamFormat => ({
  contentType: "application/x-ndjson",
  message: (data) => `{"result":${replyToJson(route, data)}}\n`,
  error: (err, requestId) => `{"error":${JSON.stringify(toProblem(err, requestId))}}\n`,
  end: () => undefined,
});

/**
 * Server-sent events: each message an event of its own (its number as the event id), a mid-stream
 * failure an `error` event, and an `end` event after the last message, so that an EventSource knows
 * to close rather than reconnect and start the stream again.
 */
const eventStream = (route: Route): StreamFormat => ({
  contentType: "text/event-stream",
  message: (data, seq) => `id: ${seq}\ndata: ${replyToJson(route, data)}\n\n`,
  error: (err, requestId) => `event: error\ndata: ${JSON.stringify(toProblem(err, requestId))}\n\n`,
  end: () => "event: end\ndata: {}\n\n",
});

/** Requests of the stream in flight count against MAX_IN_FLIGHT while it lasts. */
interface InFlight {
  inFlight: number;
}

export interface StreamReplyOptions {
  readonly streams: StreamCaller;
  readonly admission: InFlight;
  readonly tracer: Tracer | undefined;
}

/**
 * Answers a request for a server-streaming RPC. Until the first message comes, an error is the usual
 * problem+json with its status (thrown to the error handler); from the first message on, the HTTP
 * status and headers are sent with it, each message follows as it comes, and the service gets credit
 * as the client takes them. The client's disconnect cancels the stream.
 */
export async function replyWithStream(
  request: FastifyRequest,
  reply: FastifyReply,
  route: Route,
  payload: Uint8Array,
  headers: MsgHdrs,
  params: ReadonlyMap<string, string>,
  options: StreamReplyOptions,
  /** The stream's format; by default NDJSON, or server-sent events when the client accepts them. */
  format: StreamFormat = wantsEventStream(request.headers.accept) ? eventStream(route) : ndjson(route),
): Promise<FastifyReply> {
  const gone = new AbortController();
  const left = () => {
    if (!reply.raw.writableFinished) gone.abort();
  };
  reply.raw.once("close", left);
  options.admission.inFlight++;
  const span = options.tracer === undefined || request.span === undefined ? undefined : startClientSpan(options.tracer, request.span, route);
  if (span !== undefined) headers.set(Headers.traceparent, traceparentOf(span));
  let opened;
  try {
    opened = await options.streams.open(route, payload, headers, request.headers, params, gone.signal);
  } catch (err) {
    options.admission.inFlight--;
    reply.raw.off("close", left);
    if (span !== undefined) endSpan(span, undefined, err);
    throw err;
  }
  const { call, first } = opened;
  const body = new PassThrough();
  void pipe(call, first, body, format, request.id).then((failure) => {
    options.admission.inFlight--;
    reply.raw.off("close", left);
    if (failure !== undefined && !GatewayError.is(failure)) request.log.error({ err: failure, reqId: request.id }, "unhandled gateway error in a stream");
    if (span !== undefined) endSpan(span, call.head, failure);
  });
  const http = httpFromReply(call.head);
  reply.code(format.alwaysOk ? 200 : http.status).headers(http.headers).header("x-request-id", request.id).type(format.contentType);
  reply.header("cache-control", "no-cache");
  return reply.send(body);
}

/**
 * Writes the first message and every one after it, acking each once the client's connection has
 * taken it (past the socket's buffer, `drain`), so a slow client slows the service; then the end, or
 * the error the stream failed with. Resolves with that error, if any.
 */
async function pipe(call: StreamCall, first: Msg | undefined, body: PassThrough, format: StreamFormat, requestId: string): Promise<unknown> {
  let failure: unknown;
  try {
    for (let msg = first, seq = 1; msg !== undefined; msg = await call.next(), seq++) {
      if (body.destroyed) return undefined;
      if (!body.write(format.message(msg.data, seq))) await drained(body);
      call.took(seq);
    }
    const end = format.end();
    if (!body.destroyed && end !== undefined) body.write(end);
  } catch (err) {
    failure = err;
    if (!body.destroyed) body.write(format.error(asGatewayError(err), requestId));
    // A message the gateway cannot transcode, say: the service must not go on streaming to nobody
    // (a stream that ended, or was cancelled, is left as it is).
    call.cancel();
  } finally {
    if (!body.destroyed) body.end();
  }
  return failure;
}

function drained(body: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      body.off("drain", done);
      body.off("close", done);
      resolve();
    };
    body.on("drain", done);
    body.on("close", done);
  });
}

function asGatewayError(err: unknown): GatewayError {
  return GatewayError.is(err) ? err : new GatewayError("GATEWAY_INTERNAL", "the gateway failed to handle the request");
}

/** Server-sent events when the client asks for them; newline-delimited JSON otherwise. */
function wantsEventStream(accept: string | undefined): boolean {
  return accept !== undefined && accept.toLowerCase().includes("text/event-stream");
}

function endSpan(span: Span, head: MsgHdrs | undefined, failure: unknown): void {
  const deployment = head?.get(Headers.deployment);
  if (failure === undefined) endClientSpan(span, { deployment });
  else {
    const error = GatewayError.is(failure) ? failure : undefined;
    endClientSpan(span, { deployment, errorCode: error?.code ?? "GATEWAY_INTERNAL", serverError: (error?.status ?? 500) >= 500 });
  }
}
