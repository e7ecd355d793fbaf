import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { isInteger, isSafeNumber, parse as parseLossless } from "lossless-json";
import secureJsonParse from "secure-json-parse";
import { GatewayError } from "../errors.js";
import { bodyReader, type BodyBudget } from "../http/body-reader.js";
import { decompress } from "../rpc/compression.js";
import { PROTOBUF_TYPES } from "./media-types.js";

/**
 * The bodies the gateway takes: JSON, or Protobuf bytes passed through; anything else is a 415
 * rather than a string handed on. Both are read within the shared body budget.
 *
 * JSON is read as bytes and refused unless it is UTF-8 (RFC 8259 §8.1): decoded as text first, as
 * Fastify does by default, a broken byte becomes U+FFFD and reaches the service as data nobody
 * sent. Past that check, the parser Fastify uses (secure-json-parse), with its prototype-poisoning rules.
 *
 * JSON.parse reads every number as a double, so an int64 above 2^53 would reach the service rounded
 * (9007199254740993 as ...992). Such a number parses to a double past Number.MAX_SAFE_INTEGER, and a
 * body holding one is read a second time, by lossless-json, which keeps such integers as their exact
 * decimal text: proto3 JSON takes int64 values as strings.
 */
export function requestBodies(app: FastifyInstance, budget: BodyBudget, bodyLimit: number): void {
  const readRaw = bodyReader(budget, bodyLimit);
  // A gzip body (Content-Encoding, as Connect's unary requests may send) is inflated within the same limit.
  const read: typeof readRaw = (request, payload, done) =>
    readRaw(request, payload, (err, body) => {
      const encoding = request.headers["content-encoding"];
      if (err !== null || encoding === undefined) return done(err, body);
      try {
        done(null, Buffer.from(decompress(encoding, body!, bodyLimit)));
      } catch (inflateErr) {
        done(inflateErr as Error, undefined);
      }
    });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", (request, payload, done) => {
    read(request, payload, (err, body) => {
      if (err !== null) return done(err, undefined);
      let value: unknown;
      try {
        value = jsonFromBytes(body!);
      } catch (parseErr) {
        return done(parseErr as Error, undefined);
      }
      done(null, value);
    });
  });
  app.addContentTypeParser([...PROTOBUF_TYPES], (request, payload, done) => read(request, payload, done));
  // Connect streaming and gRPC-Web bodies are frames, unframed by the RPC path's handler.
  app.addContentTypeParser(RPC_FRAMED, (request, payload, done) => read(request, payload, done));
}

const RPC_FRAMED = /^application\/(connect\+|grpc-web)/i;

/** Fastify's own rules on prototype poisoning: such a body is refused, not cleaned. */
const POISONING = { protoAction: "error", constructorAction: "error" } as const;

/**
 * A JSON body or message, read as the gateway reads every JSON it is sent (REST bodies, Connect and
 * gRPC-Web messages): UTF-8 only, prototype poisoning refused, integers past 2^53 kept exact.
 */
export function jsonFromBytes(bytes: Uint8Array): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buffer)) throw new GatewayError("MALFORMED_JSON", "the body is not valid UTF-8");
  const text = buffer.toString("utf8");
  if (text.length === 0) throw new GatewayError("MALFORMED_JSON", "the body is empty but Content-Type is application/json");
  let value: unknown;
  try {
    value = secureJsonParse(text, null, POISONING);
  } catch {
    throw new GatewayError("MALFORMED_JSON", "the body is not valid JSON");
  }
  if (!hasUnsafeNumber(value)) return value;
  try {
    return parseLossless(text, null, (n) => (isSafeNumber(n) || !isInteger(n) ? Number(n) : n));
  } catch (err) {
    // lossless-json recurses once per level, where JSON.parse took any depth.
    if (err instanceof RangeError) throw new GatewayError("MALFORMED_JSON", "the body is nested too deeply to read its integers past 2^53 exactly");
    throw err;
  }
}

/**
 * Whether a parsed JSON value holds a number past 2^53, which JSON.parse may have rounded. A walk of
 * the parsed value, not a search of the text: a regular expression for a run of 16 digits cost
 * 115 µs on every 64 KB body. A loop, not recursion, since JSON.parse takes any depth.
 */
function hasUnsafeNumber(json: unknown): boolean {
  const pending = [json];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "number") {
      if (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === "object" && value !== null) {
      for (const key in value) pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}
