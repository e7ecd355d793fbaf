import type { IncomingHttpHeaders } from "node:http";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import { connectVersionOk, parseConnectContentType, type Codec } from "./connect-protocol.js";
import { parseGrpcWebContentType } from "./grpc-web-protocol.js";

/**
 * The protocols an RPC path speaks: Connect unary (a bare message, or for GET the query), Connect
 * streaming (enveloped messages ending with an end-of-stream message) and gRPC-Web (enveloped
 * messages ending with a trailers frame).
 */
export type RpcProtocol = "connect" | "connect-stream" | "grpc-web";

/** A request on an RPC path: which RPC, in which protocol and codec. */
export interface RpcCall {
  readonly route: Route;
  readonly protocol: RpcProtocol;
  readonly codec: Codec;
  /** gRPC-Web's text mode: the body base64, both ways. */
  readonly text: boolean;
  /** A Connect GET: the message is in the query. */
  readonly get: boolean;
}

const SUPPORTED = "send application/proto or application/json (Connect), application/connect+proto or +json (Connect streaming), or application/grpc-web(+proto, +json, -text)";

/**
 * The call a request on an RPC path makes, from its method and Content-Type. A GET is Connect's
 * Unary-Get-Request, for RPCs the contract marks NO_SIDE_EFFECTS; its codec is read from the query.
 */
export function rpcCallOf(route: Route, method: string, headers: IncomingHttpHeaders): RpcCall {
  const call = callOf(route, method, headers["content-type"]);
  if (call.protocol !== "grpc-web" && !connectVersionOk(headers["connect-protocol-version"])) {
    throw new GatewayError("BAD_REQUEST", "this gateway speaks Connect protocol version 1", "connect-protocol-version");
  }
  return call;
}

function callOf(route: Route, method: string, contentType: string | undefined): RpcCall {
  const streaming = route.method.methodKind === "server_streaming";
  if (method === "GET" || method === "HEAD") {
    if (streaming || route.method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) {
      throw new GatewayError("METHOD_NOT_ALLOWED", `${route.subject} takes POST: only unary RPCs marked NO_SIDE_EFFECTS take GET`, undefined, { allow: "POST" });
    }
    return { route, protocol: "connect", codec: "json", text: false, get: true };
  }
  if (method !== "POST") throw new GatewayError("METHOD_NOT_ALLOWED", `${method} is not allowed on an RPC path`, undefined, { allow: "POST" });
  const grpcWeb = parseGrpcWebContentType(contentType);
  if (grpcWeb !== undefined) return { route, protocol: "grpc-web", codec: grpcWeb.codec, text: grpcWeb.text, get: false };
  const connect = parseConnectContentType(contentType);
  if (connect === undefined) throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", SUPPORTED, "content-type");
  if (connect.streaming !== streaming) {
    const wanted = streaming ? "a streaming content type (application/connect+proto or +json)" : "a unary content type (application/proto or application/json)";
    throw new GatewayError("UNSUPPORTED_MEDIA_TYPE", `${route.subject} is ${streaming ? "server-streaming" : "unary"}: send ${wanted}`, "content-type");
  }
  return { route, protocol: streaming ? "connect-stream" : "connect", codec: connect.codec, text: false, get: false };
}

/** The Content-Type of the answer: the request's protocol and codec. */
export function replyContentType(call: RpcCall): string {
  switch (call.protocol) {
    case "connect":
      return `application/${call.codec}`;
    case "connect-stream":
      return `application/connect+${call.codec}`;
    case "grpc-web":
      return call.text ? "application/grpc-web-text+proto" : `application/grpc-web+${call.codec}`;
  }
}
