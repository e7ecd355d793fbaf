import type { FastifyCorsOptions } from "@fastify/cors";
import type { RateLimitPluginOptions } from "@fastify/rate-limit";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "../errors.js";

/** What a browser may send and read across origins: the headers the gateway gives a meaning to. */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: origins.includes("*") ? "*" : [...origins],
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    // No allowedHeaders: the preflight's own list is echoed, as Switchyard-Meta-* cannot be listed by prefix.
    exposedHeaders: [
      "x-request-id",
      "location",
      "retry-after",
      "idempotent-replayed",
      "www-authenticate",
      "ratelimit-limit",
      "ratelimit-remaining",
      "ratelimit-reset",
      // gRPC-Web's outcome when it comes in the headers (a trailers-only answer), and its details.
      "grpc-status",
      "grpc-message",
      "grpc-status-details-bin",
    ],
    maxAge: 600,
    strictPreflight: true,
  };
}

/**
 * Requests per client per window, counted in this gateway's memory: a client is the verified JWT
 * subject when there is one, else its IP address. Over the limit: 429 with the IETF draft's
 * RateLimit-* headers and Retry-After.
 */
export function rateLimitOptions(): RateLimitPluginOptions {
  return {
    global: false,
    enableDraftSpec: true,
    // After authentication, so a verified subject is known.
    hook: "preHandler",
    keyGenerator: (request: FastifyRequest) => request.identity?.subject ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new GatewayError("RATE_LIMITED", `over ${context.max} requests in ${context.after}; retry after the Retry-After header's seconds`),
  };
}
