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

/** How one stream is written over HTTP: grpc-gateway's newline-delimited JSON, or server-sent events. */
interface StreamFormat {
  readonly contentType: string;
  message(json: string, seq: number): string;
  error(problem: string): string;
  /** After the last message of a successful stream. */
  readonly end: string;
}

/** One JSON object a line: `{"result": <message>}`, and `{"error": <problem>}` when the stream fails mid-way. */
const NDJSON: StreamFormat = {
  contentType: "application/x-ndjson",
  message: (json) => `{"result":${json}}\n`,
  error: (problem) => `{"error":${problem}}\n`,
  end: "",
};

/**
 * Server-sent events: each message an event of its own (its number as the event id), a mid-stream
 * failure an `error` event, and an `end` event after the last message, so that an EventSource knows
 * to close rather than reconnect and start the stream again.
 */
const EVENT_STREAM: StreamFormat = {
  contentType: "text/event-stream",
  message: (json, seq) => `id: ${seq}\ndata: ${json}\n\n`,
  error: (problem) => `event: error\ndata: ${problem}\n\n`,
  end: "event: end\ndata: {}\n\n",
};

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
  const format = wantsEventStream(request.headers.accept) ? EVENT_STREAM : NDJSON;
  const body = new PassThrough();
  void pipe(call, first, body, format, route, request.id).then((failure) => {
    options.admission.inFlight--;
    reply.raw.off("close", left);
    if (failure !== undefined && !GatewayError.is(failure)) request.log.error({ err: failure, reqId: request.id }, "unhandled gateway error in a stream");
    if (span !== undefined) endSpan(span, call.head, failure);
  });
  const http = httpFromReply(call.head);
  reply.code(http.status).headers(http.headers).header("x-request-id", request.id).type(format.contentType);
  reply.header("cache-control", "no-cache");
  return reply.send(body);
}

/**
 * Writes the first message and every one after it, acking each once the client's connection has
 * taken it (past the socket's buffer, `drain`), so a slow client slows the service; then the end, or
 * the error the stream failed with. Resolves with that error, if any.
 */
async function pipe(call: StreamCall, first: Msg | undefined, body: PassThrough, format: StreamFormat, route: Route, requestId: string): Promise<unknown> {
  let failure: unknown;
  try {
    for (let msg = first, seq = 1; msg !== undefined; msg = await call.next(), seq++) {
      if (body.destroyed) return undefined;
      if (!body.write(format.message(replyToJson(route, msg.data), seq))) await drained(body);
      call.took(seq);
    }
    if (!body.destroyed && format.end !== "") body.write(format.end);
  } catch (err) {
    failure = err;
    if (!body.destroyed) body.write(format.error(JSON.stringify(toProblem(asGatewayError(err), requestId))));
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
