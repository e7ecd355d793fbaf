import { fromBinary, toJson, type JsonObject } from "@bufbuild/protobuf";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";

/** The reply bytes as the HTTP JSON body: the whole reply, or its response_body field. */
export function replyToJson(route: Route, data: Uint8Array): string {
  const output = route.method.output;
  let message;
  try {
    message = fromBinary(output, data);
  } catch {
    throw new GatewayError("BAD_SERVICE_REPLY", "the service replied with bytes that are not its declared reply type");
  }
  const field = route.responseBody;
  if (field === undefined) return JSON.stringify(toJson(output, message));
  const value =
    (toJson(output, message) as JsonObject)[field.jsonName] ??
    // proto3 JSON omits a field at its default value; the body still needs that value.
    (toJson(output, message, { alwaysEmitImplicit: true }) as JsonObject)[field.jsonName] ??
    {};
  return JSON.stringify(value);
}
