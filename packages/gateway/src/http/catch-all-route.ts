import { METHODS } from "node:http";
import type { Tracer } from "@opentelemetry/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator } from "../auth/index.js";
import { GatewayError } from "../errors.js";
import type { IdempotencyStore } from "../idempotency/index.js";
import type { StreamCaller } from "../nats/stream-caller.js";
import type { RouteRegistry } from "../routes/route-registry.js";
import { rpcCallOf } from "../rpc/rpc-call.js";
import type { Forwarder } from "../traffic/forwarder.js";
import type { JsonOptions } from "../transcode/json-request.js";
import type { ReplyJsonOptions } from "../transcode/json-reply.js";
import type { Admission, AppConfig } from "./app-types.js";
import { pathOf } from "./create-app.js";
import { forwardRest, forwardRpc, NO_PARAMS } from "./forward-request.js";
import { startServerSpan } from "./request-tracing.js";

/** What the catch-all route needs of the gateway it serves. */
export interface Forwarding {
  readonly config: AppConfig;
  readonly registry: RouteRegistry;
  readonly admission: Admission;
  readonly tracer: Tracer | undefined;
  readonly authenticator: Authenticator | undefined;
  readonly idempotency: IdempotencyStore | undefined;
  readonly forwarder: Forwarder;
  readonly streams: StreamCaller;
  readonly json: JsonOptions & ReplyJsonOptions;
  /** True once the gateway has begun to close. */
  readonly closing: () => boolean;
}

/** One route for every path and method, in front of the route table, forwarding over NATS. */
export function catchAllRoute(scope: FastifyInstance, f: Forwarding): void {
  const { config } = f;
  scope.route({
    // Every method Node parses, since a contract may bind any (custom kinds: TRACE, PURGE, ...); the
    // route table answers the rest 404 or 405. With CORS on, its plugin answers OPTIONS (preflight).
    method: routedMethods(scope, config.corsOrigins.length > 0),
    url: "*",
    config: config.rateLimitMax > 0 ? { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } } : {},
    // Route first, so an unknown path is a 404 whatever its body or content type. A callback hook,
    // not an async one: this runs on every request.
    onRequest: (request, reply, done) => routeRequest(f, request, reply, done),
    handler: async (request, reply) =>
      request.rpcCall !== undefined ? forwardRpc(f, request.rpcCall, request, reply) : forwardRest(f, request, reply),
  });
}

/** Matches the request to a route, then refuses it if the gateway is closing or full, else authenticates it. */
function routeRequest(f: Forwarding, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
  const { registry, admission, config, tracer, authenticator } = f;
  const path = pathOf(request);
  let match = registry.table.match(request.method, path);
  // An RPC path (/<package>.<Service>/<Method>) where no REST route is: Connect or gRPC-Web.
  if (match.kind === "not-found" || match.kind === "method-not-allowed") {
    const rpc = registry.table.matchRpc(path);
    if (rpc !== undefined) {
      try {
        request.rpcCall = rpcCallOf(rpc, request.method, request.headers);
      } catch (err) {
        done(err as Error);
        return;
      }
      match = { kind: "found", route: rpc, params: NO_PARAMS };
    }
  }
  if (f.closing()) {
    request.log.info({ reqId: request.id }, "request refused: the gateway is closing");
    reply.header("connection", "close");
    done(new GatewayError("NOT_READY", "the gateway is shutting down; retry on another instance"));
    return;
  }
  // Refused before the body is read: past the limit, more work queued only makes every request late.
  if (admission.inFlight >= config.maxInFlight) {
    admission.overloaded++;
    done(new GatewayError("OVERLOADED", "the gateway has too many requests in flight; retry shortly"));
    return;
  }
  if (tracer !== undefined) request.span = startServerSpan(tracer, request, match.kind === "found" ? match.route : undefined);
  if (match.kind === "found") {
    request.routeMatch = match;
    if (authenticator === undefined) done();
    else {
      authenticator.authenticate(request.headers.authorization, match.route).then((identity) => {
        request.identity = identity;
        done();
      }, done);
    }
  } else if (match.kind === "refused") {
    done(new GatewayError("BINDING_NOT_SERVED", `${request.method} ${match.binding.path} (${match.binding.subject}) is not served: ${match.binding.reason}`));
  } else if (match.kind === "not-found") {
    done(new GatewayError("ROUTE_NOT_FOUND", `no route for ${request.method} ${path}`));
  } else {
    done(new GatewayError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here`, undefined, { allow: match.allow.join(", ") }));
  }
}

/**
 * The methods the catch-all route takes: Fastify's own, plus every other method Node's parser reads
 * (CONNECT aside: Node hands it to a tunnel handler, never to a request).
 */
function routedMethods(app: FastifyInstance, corsOn: boolean): string[] {
  for (const method of METHODS) {
    if (method !== "CONNECT" && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  return app.supportedMethods.filter((m) => m !== "CONNECT" && !(corsOn && m === "OPTIONS"));
}
