import { nuid } from "@nats-io/transport-node";
import { traceIdOf } from "@switchyard/telemetry";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { GatewayError } from "../errors.js";
import { REQUEST_ID } from "../headers/request-headers.js";
import type { AppConfig } from "./app-types.js";
import { replyToClientError, replyWithError, setRetryAfter } from "./problem-reply.js";

/** A Fastify app with the gateway's server settings, request ids, logging and error answers; no routes yet. */
export function createApp(config: AppConfig): FastifyInstance {
  setRetryAfter(config.retryAfterS);
  const app = Fastify({
    logger: { level: config.logLevel },
    // Node checks its request and header timeouts on this interval (default 30 s): a stalled client
    // would hold its socket and buffers that much past HTTP_REQUEST_TIMEOUT_MS. A check walks the
    // open connections and compares two numbers each: four a second cost nothing even at 10,000.
    http: { connectionsCheckingInterval: Math.min(250, config.httpHeadersTimeoutMs), headersTimeout: config.httpHeadersTimeoutMs },
    requestTimeout: config.httpRequestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    clientErrorHandler: replyToClientError,
    logController: new LogController({ disableRequestLogging: !config.accessLog }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    // NUIDs: unique, and a tenth of randomUUID's cost on every request.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : nuid.next();
    },
    // Without an access log, one logger for every request rather than a child each (about 2 µs a
    // request): the few lines logged per request name the request id themselves. With one, a
    // request's lines carry the trace id the client sent.
    childLoggerFactory: config.accessLog
      ? (logger, bindings, options, raw) => {
          const traceId = traceIdOf(typeof raw.headers["traceparent"] === "string" ? raw.headers["traceparent"] : undefined);
          return logger.child(traceId === undefined ? bindings : { ...bindings, trace_id: traceId }, options);
        }
      : (logger: FastifyBaseLogger) => logger,
    return503OnClosing: false,
    // A URL the router cannot decode never reaches a route: answer it like every other error.
    frameworkErrors: (err, request, reply) => replyWithError(err, request, reply),
  });
  app.server.maxConnections = config.maxConnections;
  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    replyWithError(new GatewayError("ROUTE_NOT_FOUND", `no route for ${request.method} ${pathOf(request)}`), request, reply),
  );
  return app;
}

/** The request's path, without its query. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return q === -1 ? request.url : request.url.slice(0, q);
}
