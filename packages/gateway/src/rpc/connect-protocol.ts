import { GatewayError } from "../errors.js";
import { EnvelopeFlag, encodeEnvelope } from "./envelope.js";
import { connectCodeOf, rpcMessageOf } from "./rpc-codes.js";

/** How messages are serialized on the wire. */
export type Codec = "proto" | "json";

// application/proto and application/json are unary; the connect+ forms are enveloped streams.
const contentTypePattern = /^application\/(connect\+)?(?:(json)(?:; ?charset=utf-?8)?|proto)$/i;

export function parseConnectContentType(contentType: string | undefined): { streaming: boolean; codec: Codec } | undefined {
  const match = contentType === undefined ? null : contentTypePattern.exec(contentType.trim());
  if (match === null) return undefined;
  return { streaming: match[1] !== undefined, codec: match[2] === undefined ? "proto" : "json" };
}

/** Connect-Timeout-Ms: at most 10 ASCII digits, so a deadline can never be negative or fractional. */
export function parseConnectTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) {
    throw new GatewayError("BAD_REQUEST", `Connect-Timeout-Ms must be 1 to 10 digits, got "${value}"`, "connect-timeout-ms");
  }
  return Number(value);
}

function errorJson(err: GatewayError): { code: string; message: string } {
  return { code: connectCodeOf(err.code), message: rpcMessageOf(err) };
}

/** The body of a unary error reply, sent as application/json whatever the request codec. */
export function connectErrorBody(err: GatewayError): string {
  return JSON.stringify(errorJson(err));
}

/** The last envelope of a Connect stream: `{}` when it ended well, else the error. */
export function connectEndStream(err: GatewayError | undefined): Uint8Array {
  const body = err === undefined ? {} : { error: errorJson(err) };
  return encodeEnvelope(EnvelopeFlag.connectEndStream, new TextEncoder().encode(JSON.stringify(body)));
}

function singleParam(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new GatewayError("BAD_REQUEST", `The ${name} parameter must appear once`, name);
  return value;
}

function requiredParam(query: Record<string, string | string[] | undefined>, name: string): string {
  const value = singleParam(query, name);
  if (value === undefined) throw new GatewayError("BAD_REQUEST", `The ${name} parameter is required`, name);
  return value;
}

// The spec asks for URL-safe base64; padding is optional, and a lone trailing character is never valid.
function decodeBase64Url(text: string): Uint8Array {
  const unpadded = text.replace(/={1,2}$/, "");
  const padded = unpadded.length !== text.length;
  const wellFormed = /^[A-Za-z0-9_-]*$/.test(unpadded) && (padded ? text.length % 4 === 0 : unpadded.length % 4 !== 1);
  if (!wellFormed) throw new GatewayError("BAD_REQUEST", "The message parameter is not URL-safe base64", "message");
  return Buffer.from(unpadded, "base64url");
}

/** Reads a Connect Unary-Get-Request from its query parameters. */
export function parseConnectGet(query: Record<string, string | string[] | undefined>): {
  codec: Codec;
  compression: string | undefined;
  message: Uint8Array;
} {
  const connect = singleParam(query, "connect");
  if (connect !== undefined && connect !== "v1") {
    throw new GatewayError("BAD_REQUEST", `The connect parameter must be v1, got "${connect}"`, "connect");
  }
  const encoding = requiredParam(query, "encoding");
  if (encoding !== "proto" && encoding !== "json") {
    throw new GatewayError("BAD_REQUEST", `The encoding parameter must be proto or json, got "${encoding}"`, "encoding");
  }
  const base64 = singleParam(query, "base64");
  if (base64 !== undefined && base64 !== "0" && base64 !== "1") {
    throw new GatewayError("BAD_REQUEST", `The base64 parameter must be 1 or 0, got "${base64}"`, "base64");
  }
  const raw = requiredParam(query, "message");
  const message = base64 === "1" ? decodeBase64Url(raw) : new TextEncoder().encode(raw);
  return { codec: encoding, compression: singleParam(query, "compression"), message };
}

/** Connect-Protocol-Version: optional, but a client that sends it must speak version 1. */
export function connectVersionOk(header: string | string[] | undefined): boolean {
  return header === undefined || header === "1";
}
