import { fromBinary, toJson, type JsonObject } from "@bufbuild/protobuf";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import { shortFloats } from "./short-floats.js";

export interface ReplyJsonOptions {
  /** Fields at their default value are written too (EMIT_UNPOPULATED; grpc-gateway's EmitUnpopulated). */
  emitUnpopulated?: boolean;
}

/** The reply bytes as the HTTP JSON body: the whole reply, or its response_body field. */
export function replyToJson(route: Route, data: Uint8Array, options: ReplyJsonOptions = {}): string {
  const output = route.method.output;
  let message;
  try {
    message = fromBinary(output, data);
  } catch {
    throw new GatewayError("BAD_SERVICE_REPLY", "the service replied with bytes that are not its declared reply type");
  }
  shortFloats(output, message);
  const alwaysEmitImplicit = options.emitUnpopulated === true;
  const field = route.responseBody;
  if (field === undefined) return JSON.stringify(toJson(output, message, { alwaysEmitImplicit }));
  const value =
    (toJson(output, message, { alwaysEmitImplicit }) as JsonObject)[field.jsonName] ??
    // proto3 JSON omits a field at its default value; the body still needs that value.
    (toJson(output, message, { alwaysEmitImplicit: true }) as JsonObject)[field.jsonName] ??
    {};
  return JSON.stringify(value);
}
