import type { StreamFormat } from "../http/stream-reply.js";
import type { ReplyJsonOptions } from "../transcode/json-reply.js";
import { connectEndStream } from "./connect-protocol.js";
import { encodeEnvelope } from "./envelope.js";
import { encodeGrpcWebText, GRPC_WEB_OK_TRAILERS, grpcWebTrailers } from "./grpc-web-protocol.js";
import { replyContentType, type RpcCall } from "./rpc-call.js";
import { encodeMessage } from "./rpc-reply.js";
import { connectCodeOf, grpcStatusOf, rpcMessageOf } from "./rpc-codes.js";

/**
 * A server stream on an RPC path: each message in a frame of its own, then Connect's end-of-stream
 * message or gRPC-Web's trailers frame, carrying the error when the stream failed. gRPC-Web's text
 * mode base64-encodes each write on its own, as its clients decode chunk by chunk.
 */
export function rpcStreamFormat(call: RpcCall, json: ReplyJsonOptions): StreamFormat {
  const text = (bytes: Uint8Array): Uint8Array => (call.text ? encodeGrpcWebText(bytes) : bytes);
  const grpcWeb = call.protocol === "grpc-web";
  return {
    contentType: replyContentType(call),
    alwaysOk: true,
    message: (data) => text(encodeEnvelope(0, encodeMessage(call, call.route, data, json))),
    error: (err) => (grpcWeb ? text(grpcWebTrailers(grpcStatusOf(connectCodeOf(err.code)), rpcMessageOf(err))) : connectEndStream(err)),
    end: () => (grpcWeb ? text(GRPC_WEB_OK_TRAILERS) : connectEndStream(undefined)),
  };
}
