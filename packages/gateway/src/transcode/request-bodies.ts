import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { isInteger, isSafeNumber, parse as parseLossless } from "lossless-json";
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
 * sent. Past that check, Fastify's own parser, with its prototype-poisoning rules.
 *
 * JSON.parse reads every number as a double, so an int64 above 2^53 would reach the service rounded
 * (9007199254740993 as ...992). A body with a run of 16 digits is read a second time, by
 * lossless-json, which keeps such integers as their exact decimal text: proto3 JSON takes int64
 * values as strings. The common body pays one regular expression.
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
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", (request, payload, done) => {
    read(request, payload, (err, body) => {
      if (err !== null) done(err, undefined);
      else if (!isUtf8(body!)) done(new GatewayError("MALFORMED_JSON", "the body is not valid UTF-8"), undefined);
      else {
        const text = body!.toString("utf8");
        parseJson(request, text, LONG_NUMBER.test(text) ? exactly(text, done) : done);
      }
    });
  });
  app.addContentTypeParser([...PROTOBUF_TYPES], (request, payload, done) => read(request, payload, done));
  // Connect streaming and gRPC-Web bodies are frames, unframed by the RPC path's handler.
  app.addContentTypeParser(RPC_FRAMED, (request, payload, done) => read(request, payload, done));
}

const LONG_NUMBER = /\d{16}/;
const RPC_FRAMED = /^application\/(connect\+|grpc-web)/i;

type Done = (err: Error | null, body?: unknown) => void;

/** Once Fastify's parser accepted the body: the same body with unsafe integers kept as text. */
function exactly(text: string, done: Done): Done {
  return (err) => {
    if (err !== null) return done(err, undefined);
    done(null, parseLossless(text, null, (n) => (isSafeNumber(n) || !isInteger(n) ? Number(n) : n)));
  };
}
