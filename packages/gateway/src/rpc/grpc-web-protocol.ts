import { GatewayError } from "../errors.js";
import type { Codec } from "./connect-protocol.js";
import { EnvelopeFlag, encodeEnvelope } from "./envelope.js";

// grpc-web-text is base64 of the binary framing; browsers use it when they cannot read binary streams.
const contentTypePattern = /^application\/grpc-web(-text)?(?:\+(proto|json))?$/i;

export function parseGrpcWebContentType(contentType: string | undefined): { text: boolean; codec: Codec } | undefined {
  const match = contentType === undefined ? null : contentTypePattern.exec(contentType.trim());
  if (match === null) return undefined;
  const text = match[1] !== undefined;
  const codec = match[2]?.toLowerCase() === "json" ? "json" : "proto";
  // Text mode carries binary protobuf only; nothing speaks grpc-web-text+json.
  if (text && codec === "json") return undefined;
  return { text, codec };
}

const unitMs = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 } as const;

/** grpc-timeout: up to 8 digits and a unit, as milliseconds rounded up so a short deadline stays positive. */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) {
    throw new GatewayError("BAD_REQUEST", `grpc-timeout must be 1 to 8 digits and a unit (H, M, S, m, u, n), got "${value}"`, "grpc-timeout");
  }
  return Math.ceil(Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]);
}

// gRPC percent-encodes grpc-message as UTF-8, escaping '%' and every byte outside printable ASCII.
function percentEncode(message: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(message)) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** The trailers of every successful call: the same bytes each time, built once. */
export const GRPC_WEB_OK_TRAILERS = grpcWebTrailers(0, "");

/** The final envelope of a gRPC-Web response: the status as header lines. */
export function grpcWebTrailers(status: number, message: string): Uint8Array {
  const block = `grpc-status:${status}\r\ngrpc-message:${percentEncode(message)}\r\n`;
  return encodeEnvelope(EnvelopeFlag.grpcWebTrailers, new TextEncoder().encode(block));
}

/**
 * Decodes a grpc-web-text body. Clients may base64 each message on its own and concatenate the
 * results, so padding can appear mid-body: each padded chunk is decoded separately.
 */
export function decodeGrpcWebText(body: Uint8Array): Uint8Array {
  const text = Buffer.from(body).toString("latin1");
  const chunks = text.match(/[^=]*=*/g)?.filter((chunk) => chunk !== "") ?? [];
  const parts = chunks.map((chunk) => {
    const data = chunk.replace(/={1,2}$/, "");
    const padded = data.length !== chunk.length;
    const wellFormed = /^[A-Za-z0-9+/]+$/.test(data) && (padded ? chunk.length % 4 === 0 : data.length % 4 !== 1);
    if (!wellFormed) throw new GatewayError("BAD_REQUEST", "The grpc-web-text body is not valid base64");
    return Buffer.from(data, "base64");
  });
  return Buffer.concat(parts);
}

export function encodeGrpcWebText(bytes: Uint8Array): Uint8Array {
  return Buffer.from(Buffer.from(bytes).toString("base64"), "ascii");
}
