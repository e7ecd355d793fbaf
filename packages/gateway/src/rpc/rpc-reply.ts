import type { Msg } from "@nats-io/transport-node";
import type { FastifyReply } from "fastify";
import type { GatewayError } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import type { Route } from "../routes/route.js";
import { replyToJson, type ReplyJsonOptions } from "../transcode/json-reply.js";
import { replyToProtobuf } from "../transcode/proto-passthrough.js";
import { acceptsGzip, gzip } from "./compression.js";
import { connectEndStream, connectErrorBody } from "./connect-protocol.js";
import { PREFIX_BYTES } from "./envelope.js";
import { encodeGrpcWebText, GRPC_WEB_OK_TRAILERS, grpcWebTrailers } from "./grpc-web-protocol.js";
import { replyContentType, type RpcCall } from "./rpc-call.js";
import { connectCodeOf, connectHttpStatus, grpcStatusOf, rpcMessageOf } from "./rpc-codes.js";

const GZIP_FROM_BYTES = 1024;

/**
 * A unary RPC's success in the request's protocol: Connect's bare message, or gRPC-Web's message
 * frame and an OK trailers frame. The service's extra headers go along; its HTTP status does not
 * (these protocols answer 200).
 */
export function sendRpcReply(call: RpcCall, reply: FastifyReply, answer: Msg, json: ReplyJsonOptions, acceptEncoding: string | string[] | undefined): FastifyReply {
  reply.code(200).headers(httpFromReply(answer.headers).headers).type(replyContentType(call));
  const message = encodeMessage(call, call.route, answer.data, json);
  if (call.protocol === "connect") {
    // Below a kilobyte gzip saves less than it costs; above, Connect clients that accept it get it.
    if (message.length < GZIP_FROM_BYTES || !acceptsGzip(acceptEncoding)) return reply.send(message);
    return reply.header("content-encoding", "gzip").send(gzip(message));
  }
  // Unary RPCs take no Connect streaming content type (rpcCallOf): the rest is gRPC-Web, its
  // message frame and the OK trailers in one buffer, written once.
  const framed = Buffer.allocUnsafe(PREFIX_BYTES + message.length + GRPC_WEB_OK_TRAILERS.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, PREFIX_BYTES);
  framed.set(GRPC_WEB_OK_TRAILERS, PREFIX_BYTES + message.length);
  return reply.send(call.text ? encodeGrpcWebText(framed) : framed);
}

/**
 * An error in the request's protocol: Connect unary's error JSON with its HTTP status; Connect
 * streaming's end-of-stream message and gRPC-Web's trailers frame, both with HTTP 200, since their
 * clients read the outcome from the body.
 */
export function sendRpcError(call: RpcCall, reply: FastifyReply, err: GatewayError, retryAfter: string): FastifyReply {
  const code = connectCodeOf(err.code);
  if (code === "unavailable") reply.header("retry-after", retryAfter);
  if (err.headers !== undefined) reply.headers(err.headers);
  if (call.protocol === "connect") return reply.code(connectHttpStatus(code)).type("application/json").send(connectErrorBody(err));
  reply.code(200).type(replyContentType(call));
  if (call.protocol === "connect-stream") return reply.send(connectEndStream(err));
  const trailers = grpcWebTrailers(grpcStatusOf(code), rpcMessageOf(err));
  return reply.send(call.text ? encodeGrpcWebText(trailers) : trailers);
}

/** One reply message in the call's codec. */
export function encodeMessage(call: RpcCall, route: Route, data: Uint8Array, json: ReplyJsonOptions): Uint8Array {
  return call.codec === "proto" ? replyToProtobuf(route, data) : Buffer.from(replyToJson(route, data, json));
}
