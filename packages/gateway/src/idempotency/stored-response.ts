import type { Msg } from "@nats-io/transport-node";
import { GatewayError, PROBLEM_CONTENT_TYPE, toProblem } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import type { Route } from "../routes/route.js";
import { replyToJson, type ReplyJsonOptions } from "../transcode/json-reply.js";
import { wantsProtobuf } from "../transcode/media-types.js";
import { replyToProtobuf } from "../transcode/proto-passthrough.js";

/**
 * An HTTP answer as it is sent and stored: the status, the headers that matter (content-type with
 * the charset Fastify would add, and those the service set), and the body bytes. `x-request-id`
 * is not part of it: each request, a replay too, carries its own.
 */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const JSON_TYPE = "application/json; charset=utf-8";
const PROBLEM_TYPE = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

/**
 * A service's success reply as the request handler answers it: its status and headers
 * (Switchyard-Http-*), and the reply as JSON or as Protobuf, as `accept` asks. A reply that does
 * not decode is a GatewayError (BAD_SERVICE_REPLY).
 */
export function replyResponse(route: Route, reply: Msg, accept: string | undefined, json?: ReplyJsonOptions): StoredResponse {
  const http = httpFromReply(reply.headers);
  const binary = wantsProtobuf(accept);
  if (binary !== undefined) {
    return { status: http.status, headers: { ...http.headers, "content-type": binary }, body: replyToProtobuf(route, reply.data) };
  }
  return { status: http.status, headers: { ...http.headers, "content-type": JSON_TYPE }, body: Buffer.from(replyToJson(route, reply.data, json)) };
}

/** An error as replyWithError answers it: the same status, headers and problem+json bytes. */
export function problemResponse(err: GatewayError, requestId: string): StoredResponse {
  return {
    status: err.status,
    headers: { ...err.headers, "content-type": PROBLEM_TYPE },
    body: Buffer.from(JSON.stringify(toProblem(err, requestId))),
  };
}
