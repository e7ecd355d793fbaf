import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../errors.js";
import { bodyReader, type BodyBudget } from "../http/body-reader.js";
import { PROTOBUF_TYPES } from "./media-types.js";

/**
 * The bodies the gateway takes: JSON, or Protobuf bytes passed through; anything else is a 415
 * rather than a string handed on. Both are read within the shared body budget.
 *
 * JSON is read as bytes and refused unless it is UTF-8 (RFC 8259 §8.1): decoded as text first, as
 * Fastify does by default, a broken byte becomes U+FFFD and reaches the service as data nobody
 * sent. Past that check, Fastify's own parser, with its prototype-poisoning rules.
 */
export function requestBodies(app: FastifyInstance, budget: BodyBudget, bodyLimit: number): void {
  const read = bodyReader(budget, bodyLimit);
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", (request, payload, done) => {
    read(request, payload, (err, body) => {
      if (err !== null) done(err, undefined);
      else if (!isUtf8(body!)) done(new GatewayError("MALFORMED_JSON", "the body is not valid UTF-8"), undefined);
      else parseJson(request, body!.toString("utf8"), done);
    });
  });
  app.addContentTypeParser([...PROTOBUF_TYPES], (request, payload, done) => read(request, payload, done));
}
