import { toBinary } from "@bufbuild/protobuf";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "../errors.js";
import { requestFromJson, type JsonOptions } from "../transcode/json-request.js";
import { jsonFromBytes } from "../transcode/request-bodies.js";
import { validateRequest } from "../transcode/validate.js";
import { decompress } from "./compression.js";
import { parseConnectGet, type Codec } from "./connect-protocol.js";
import { decodeEnvelopes, EnvelopeFlag } from "./envelope.js";
import { decodeGrpcWebText } from "./grpc-web-protocol.js";
import type { RpcCall } from "./rpc-call.js";

const NO_PARAMS = new Map<string, string>();

/**
 * The request message for NATS. Protobuf goes through undecoded (the service checks it, as for a
 * REST Protobuf body); JSON is transcoded, and checked against the contract's rules as REST JSON is.
 */
export function rpcPayload(call: RpcCall, request: FastifyRequest, json: JsonOptions, maxBytes: number): Uint8Array {
  if (call.get) {
    const get = parseConnectGet(request.query as Record<string, string | string[] | undefined>);
    return fromBytes(call, get.codec, decompress(get.compression, get.message, maxBytes), json);
  }
  if (call.protocol === "connect") {
    // Read by the body parsers (Content-Encoding undone there): JSON already parsed, Protobuf as bytes.
    return call.codec === "json" ? fromJson(call, request.body, json) : asBytes(request.body);
  }
  let body = asBytes(request.body);
  if (call.text) body = decodeGrpcWebText(body);
  const envelopes = decodeEnvelopes(body, maxBytes);
  if (envelopes.length !== 1 || (envelopes[0]!.flags & ~EnvelopeFlag.compressed) !== 0) {
    throw new GatewayError("BAD_REQUEST", `a ${call.protocol === "grpc-web" ? "gRPC-Web" : "Connect streaming"} request carries exactly one message frame`);
  }
  const { flags, data } = envelopes[0]!;
  const encodingHeader = call.protocol === "grpc-web" ? "grpc-encoding" : "connect-content-encoding";
  const encoding = request.headers[encodingHeader];
  if ((flags & EnvelopeFlag.compressed) !== 0 && (typeof encoding !== "string" || encoding === "identity")) {
    throw new GatewayError("BAD_REQUEST", `the message is marked compressed but ${encodingHeader} names no compression`, encodingHeader);
  }
  const message = (flags & EnvelopeFlag.compressed) !== 0 ? decompress(encoding as string, data, maxBytes) : data;
  return fromBytes(call, call.codec, message, json);
}

function fromBytes(call: RpcCall, codec: Codec, bytes: Uint8Array, json: JsonOptions): Uint8Array {
  return codec === "proto" ? bytes : fromJson(call, jsonFromBytes(bytes), json);
}

function fromJson(call: RpcCall, body: unknown, json: JsonOptions): Uint8Array {
  const input = call.route.method.input;
  return toBinary(input, validateRequest(input, requestFromJson(call.route, body ?? {}, NO_PARAMS, {}, json), json));
}

function asBytes(body: unknown): Uint8Array {
  return body instanceof Uint8Array ? body : new Uint8Array(0);
}
