import { METHODS } from "node:http";
import { toBinary, type DescService } from "@bufbuild/protobuf";
import { nuid, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import type { Span, Tracer } from "@opentelemetry/api";
import { Headers } from "@switchyard/protocol";
import { traceIdOf, traceparentOf } from "@switchyard/telemetry";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { GatewayConfig } from "../config.js";
import { ServiceDirectory } from "../discovery/service-directory.js";
import { GatewayError } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import { natsRequestHeaders, REQUEST_ID } from "../headers/request-headers.js";
import { ServiceCaller } from "../nats/call-service.js";
import { StreamCaller } from "../nats/stream-caller.js";
import { ShadowResults } from "../shadow/shadow-results.js";
import { ShadowRunner } from "../shadow/shadow-runner.js";
import { HttpStats } from "../stats/http-stats.js";
import { UpstreamStats } from "../stats/upstream-stats.js";
import { GatewayMetrics } from "../metrics/prometheus.js";
import { Forwarder } from "../traffic/forwarder.js";
import { TrafficControl } from "../traffic/traffic-control.js";
import { RouteRegistry } from "../routes/route-registry.js";
import type { RouteMatch, RouteTable } from "../routes/route-table.js";
import type { Route } from "../routes/route.js";
import { GATEWAY_VERSION } from "../version.js";
import { endClientSpan, endServerSpan, startClientSpan, startServerSpan } from "./request-tracing.js";
import { requestFromJson } from "../transcode/json-request.js";
import { replyToJson } from "../transcode/json-reply.js";
import { isProtobuf, wantsProtobuf } from "../transcode/media-types.js";
import { replyToProtobuf, requestFromProtobuf } from "../transcode/proto-passthrough.js";
import { validateRequest } from "../transcode/validate.js";
import { buildOpenApi, docsPlugin, isDocsPath, openApiSource } from "../openapi/index.js";
import { dashboardPlugin } from "../dashboard/dashboard-plugin.js";
import { adminRoutes, healthRoutes, isAdminPath } from "./admin-routes.js";
import { thisMachineOnly } from "./local-only.js";
import { corsOptions, rateLimitOptions } from "./edge-policy.js";
import { Authenticator, setIdentityHeaders, type VerifiedIdentity } from "../auth/index.js";
import { IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, IdempotencyStore } from "../idempotency/index.js";
import { trafficRoutes } from "./traffic-routes.js";
import { replyToClientError, replyWithError, setRetryAfter } from "./problem-reply.js";
import { replyWithStream } from "./stream-reply.js";
import { RetryBudget } from "../nats/retry-budget.js";
import { requestBodies } from "../transcode/request-bodies.js";
import { BodyBudget } from "./body-reader.js";
import { rpcCallOf, type RpcCall } from "../rpc/rpc-call.js";
import { rpcDeadlineMs } from "../rpc/rpc-deadline.js";
import { rpcPayload } from "../rpc/rpc-request.js";
import { sendRpcReply } from "../rpc/rpc-reply.js";
import { rpcStreamFormat } from "../rpc/rpc-stream-format.js";

export type AppConfig = Pick<
  GatewayConfig,
  | "requestTimeoutMs"
  | "bodyLimitBytes"
  | "logLevel"
  | "accessLog"
  | "metrics"
  | "discoveryIntervalMs"
  | "readyNeedsInstances"
  | "acceptServiceContracts"
  | "unknownFields"
  | "emitUnpopulated"
  | "docs"
  | "httpRequestTimeoutMs"
  | "httpHeadersTimeoutMs"
  | "keepAliveTimeoutMs"
  | "maxConnections"
  | "maxInFlight"
  | "bodyBufferLimitBytes"
  | "retryAfterS"
  | "retryBudgetPercent"
  | "corsOrigins"
  | "rateLimitMax"
  | "rateLimitWindowMs"
  | "auth"
  | "idempotency"
> & {
  /** Serve /healthz, /readyz and /_/* on this app (true) or leave them to buildAdmin() on another port. */
  adminOnMainPort: boolean;
};

export interface GatewayOptions {
  nc: NatsConnection;
  /** The contracts' services; every google.api.http rule on their RPCs becomes a route. */
  services: Iterable<DescService>;
  config: AppConfig;
  /** Traces requests when given: the process's tracer, made only when OTLP export is configured. */
  tracer?: Tracer | undefined;
  /** The connection's NATS_INBOX_PREFIX, where replies to the gateway arrive. */
  inboxPrefix?: string | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    routeMatch: Extract<RouteMatch, { kind: "found" }> | undefined;
    /** The request's HTTP server span, when tracing is on. */
    span: Span | undefined;
    /** The verified bearer token's subject and claims, when auth is on and the client sent one. */
    identity: VerifiedIdentity | undefined;
    /** A Connect or gRPC-Web call on an RPC path: errors are answered in its protocol. */
    rpcCall: RpcCall | undefined;
  }
  interface FastifyInstance {
    readonly routeTable: RouteTable;
    routeRegistry: RouteRegistry;
    directory: ServiceDirectory;
    natsConnected: () => boolean;
    natsServer: () => string;
    traffic: TrafficControl;
    upstreams: UpstreamStats;
    shadowResults: ShadowResults;
    /** What /metrics serves; undefined with METRICS=false. */
    metrics: GatewayMetrics | undefined;
    /** Requests refused as overloaded, and retries sent and refused by the budget. */
    admission: Admission;
  }
}

/** Requests forwarded and not yet answered, against MAX_IN_FLIGHT. */
export interface Admission {
  inFlight: number;
  overloaded: number;
  readonly retries: RetryBudget;
  readonly bodies: BodyBudget;
}

/** Shadow copies in flight at once, at most; past it, sampled requests go uncopied (and counted). */
const SHADOW_MAX_IN_FLIGHT = 1000;

/** The gateway's HTTP side: admin endpoints, and one catch-all route in front of the route table. */
export function buildGateway(options: GatewayOptions): FastifyInstance {
  const { nc, config, tracer } = options;
  const app = createApp(config);
  const openApi = openApiSource(() => buildOpenApi(registry.table.routes, { title: "Switchyard gateway", version: GATEWAY_VERSION }));
  const registry = new RouteRegistry(
    [...options.services],
    {
      onChange: (routes) => {
        app.log.info(`routes now: ${routes.map((r) => `${r.verb} ${r.template.source}`).join(", ")}`);
        openApi.rebuild();
        traffic.routesChanged();
      },
      onConflict: (c) => app.log.error(`contract conflict for ${c.service} (${c.digests.join(", ")}): ${c.reason}`),
      onError: (message, err) => app.log.warn({ err }, message),
    },
    (path) => isAdminPath(path) || isDocsPath(path),
  );
  const caller = new ServiceCaller(nc, config.requestTimeoutMs, options.inboxPrefix, (err) =>
    app.log.fatal({ err }, "NATS refused the gateway's reply inbox: no service reply can arrive (check NATS_INBOX_PREFIX and the gateway's permissions)"),
  );
  const json = { ignoreUnknownFields: config.unknownFields === "ignore", emitUnpopulated: config.emitUnpopulated };
  const idempotency = config.idempotency.enabled
    ? new IdempotencyStore(nc, { ...config.idempotency, requestTimeoutMs: config.requestTimeoutMs, json }, {
        info: (message) => app.log.info(message),
        warn: (message, err) => app.log.warn({ err }, message),
      })
    : undefined;
  const authenticator =
    config.auth === undefined ? undefined : new Authenticator(config.auth, { onKeySetError: (err) => app.log.warn({ err }, "auth: the key set could not be read") });
  const admission: Admission = {
    inFlight: 0,
    overloaded: 0,
    retries: new RetryBudget(config.retryBudgetPercent),
    bodies: new BodyBudget(config.bodyBufferLimitBytes),
  };
  let closing = false;
  const traffic = new TrafficControl(nc, () => registry.table.routes, {
    info: (message) => app.log.info(message),
    warn: (message, err) => app.log.warn({ err }, message),
  });
  const upstreams = new UpstreamStats();
  const shadowResults = new ShadowResults();
  const forwarder = new Forwarder(
    caller,
    traffic,
    config.metrics ? upstreams : undefined,
    new ShadowRunner(caller, shadowResults, SHADOW_MAX_IN_FLIGHT),
    (message) => app.log.warn(message),
    admission.retries,
  );
  const streams = new StreamCaller(nc, {
    timeoutMs: config.requestTimeoutMs,
    inboxPrefix: options.inboxPrefix,
    traffic,
    stats: config.metrics ? upstreams : undefined,
    connected: () => caller.connected,
  });
  const http = new HttpStats();
  if (config.metrics) recordDurations(app, http);
  const directory = new ServiceDirectory(nc, {
    intervalMs: config.discoveryIntervalMs,
    maxWaitMs: Math.min(1000, config.discoveryIntervalMs),
    onError: (err) => app.log.warn({ err }, "service discovery failed; backing off"),
    ...(config.acceptServiceContracts
      ? { onRefresh: (instances) => registry.sync(instances, async (subject) => (await nc.request(subject, undefined, { timeout: 2000 })).data) }
      : {}),
  });

  app.decorate("routeTable", { getter: () => registry.table });
  app.decorate("routeRegistry", registry);
  app.decorate("directory", directory);
  app.decorate("natsConnected", () => caller.connected);
  app.decorate("natsServer", () => nc.getServer());
  app.decorate("traffic", traffic);
  app.decorate("upstreams", upstreams);
  app.decorate("shadowResults", shadowResults);
  app.decorate("admission", admission);
  app.decorate(
    "metrics",
    config.metrics ? new GatewayMetrics({ http, upstreams, nats: caller.state, directory, traffic, shadow: shadowResults, admission }) : undefined,
  );
  app.decorateRequest("routeMatch", undefined);
  app.decorateRequest("span", undefined);
  app.decorateRequest("identity", undefined);
  app.decorateRequest("rpcCall", undefined);
  if (tracer !== undefined) {
    app.addHook("onResponse", (request, reply, done) => {
      if (request.span !== undefined) endServerSpan(request.span, reply);
      done();
    });
  }
  app.addHook("onReady", async () => {
    directory.start();
    traffic.start();
    idempotency?.start();
  });
  // Requests that arrive while the gateway closes are refused with a 503 naming the reason (as
  // problem+json with Retry-After, which Fastify's own closing answer is not), and the connection closed.
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onClose", async () => {
    directory.stop();
    traffic.stop();
    idempotency?.stop();
    caller.close();
  });

  // JSON, or Protobuf bytes passed through; anything else is a 415 rather than a string handed on.
  requestBodies(app, admission.bodies, config.bodyLimitBytes);

  if (config.adminOnMainPort) registerAdmin(app, config);
  if (config.docs) app.register(docsPlugin, { document: openApi.document });

  if (config.corsOrigins.length > 0) app.register(cors, corsOptions(config.corsOrigins));
  if (config.rateLimitMax > 0) app.register(rateLimit, rateLimitOptions());
  // A plugin of its own, so that it is added after the plugins above, whose hooks it needs.
  app.register(async (scope) => {
    scope.route({
      // Every method Node parses, since a contract may bind any (custom kinds: TRACE, PURGE, ...); the
      // route table answers the rest 404 or 405. With CORS on, its plugin answers OPTIONS (preflight).
      method: routedMethods(scope, config.corsOrigins.length > 0),
      url: "*",
      config: config.rateLimitMax > 0 ? { rateLimit: { max: config.rateLimitMax, timeWindow: config.rateLimitWindowMs } } : {},
      // Route first, so an unknown path is a 404 whatever its body or content type. A callback hook,
      // not an async one: this runs on every request.
      onRequest: (request, reply, done) => {
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
        if (closing) {
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
      },
      handler: async (request, reply) => {
        if (request.rpcCall !== undefined) return rpcHandler(request.rpcCall, request, reply);
        const { route, params } = request.routeMatch!;
        const query = request.query as Record<string, string | string[]>;
        // JSON is checked against the contract's field rules here; Protobuf bodies pass through undecoded
        // and the service checks them.
        const payload = isProtobuf(request.headers["content-type"])
          ? requestFromProtobuf(route, request.body as Buffer | undefined, params, query, json)
          : toBinary(route.method.input, validateRequest(route.method.input, requestFromJson(route, request.body, params, query, json)));
        const headers = natsRequestHeaders(request.headers, request.id);
        if (authenticator !== undefined) setIdentityHeaders(headers, request.identity);
        if (route.method.methodKind === "server_streaming") {
          return replyWithStream(request, reply, route, payload, headers, params, { streams, admission, tracer });
        }
        const send = (replyTo?: string) => {
          const forward = () => forwarder.forward(route, payload, headers, request.headers, params, replyTo);
          return tracer === undefined ? forward() : tracedForward(tracer, request.span!, forward, route, headers);
        };
        const key = request.headers[IDEMPOTENCY_KEY];
        let answer: Msg;
        admission.inFlight++;
        try {
          if (idempotency !== undefined && idempotency.handles(route, key)) {
            const { response, replayed } = await idempotency.run(
              { key, scope: request.identity?.subject ?? "", route, payload, accept: request.headers.accept, requestId: request.id },
              (capture) => {
                if (capture !== undefined) headers.set(Headers.idempotencyKey, capture.serviceKey);
                return send(capture?.replyTo);
              },
            );
            // The stored headers carry the content type as first sent, so a replay is the same bytes.
            reply.code(response.status).headers(response.headers).header("x-request-id", request.id);
            if (replayed) reply.header(IDEMPOTENT_REPLAYED, "true");
            return reply.send(Buffer.from(response.body));
          }
          answer = await send();
        } finally {
          admission.inFlight--;
        }
        const http = httpFromReply(answer.headers);
        reply.code(http.status).headers(http.headers).header("x-request-id", request.id);
        const binary = wantsProtobuf(request.headers.accept);
        if (binary !== undefined) return reply.type(binary).send(replyToProtobuf(route, answer.data));
        return reply.type("application/json").send(replyToJson(route, answer.data, json));
      },
    });
  });
  return app;

  /**
   * A Connect or gRPC-Web call: the same forwarding as a REST request (traffic policy, retries,
   * metrics, tracing, auth), with the client's deadline when it gives a shorter one. Idempotency-Key
   * is a REST header: these protocols' retries are the client's.
   */
  async function rpcHandler(call: RpcCall, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { route } = call;
    const payload = rpcPayload(call, request, json, config.bodyLimitBytes);
    const headers = natsRequestHeaders(request.headers, request.id);
    if (authenticator !== undefined) setIdentityHeaders(headers, request.identity);
    reply.header("x-request-id", request.id);
    if (route.method.methodKind === "server_streaming") {
      return replyWithStream(request, reply, route, payload, headers, NO_PARAMS, { streams, admission, tracer }, rpcStreamFormat(call, json));
    }
    const deadlineMs = rpcDeadlineMs(call, request.headers);
    const forward = () => forwarder.forward(route, payload, headers, request.headers, NO_PARAMS, undefined, deadlineMs);
    admission.inFlight++;
    let answer: Msg;
    try {
      answer = await (tracer === undefined ? forward() : tracedForward(tracer, request.span!, forward, route, headers));
    } finally {
      admission.inFlight--;
    }
    return sendRpcReply(call, reply, answer, json, request.headers["accept-encoding"]);
  }
}

const NO_PARAMS = new Map<string, string>();

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

/** The admin endpoints alone, for ADMIN_PORT: the same views as the gateway app they come from. */
export function buildAdmin(gateway: FastifyInstance, config: AppConfig): FastifyInstance {
  const app = createApp(config);
  app.decorate("routeTable", { getter: () => gateway.routeTable });
  app.decorate("routeRegistry", gateway.routeRegistry);
  app.decorate("directory", gateway.directory);
  app.decorate("natsConnected", gateway.natsConnected);
  app.decorate("natsServer", gateway.natsServer);
  app.decorate("traffic", gateway.traffic);
  app.decorate("upstreams", gateway.upstreams);
  app.decorate("shadowResults", gateway.shadowResults);
  app.decorate("metrics", gateway.metrics);
  app.decorate("admission", gateway.admission);
  registerAdmin(app, config);
  return app;
}

function registerAdmin(app: FastifyInstance, config: AppConfig): void {
  const options = {
    routes: () => app.routeTable.routes,
    conflicts: () => app.routeRegistry.conflicts,
    refused: () => app.routeTable.refused,
    directory: app.directory,
    traffic: app.traffic,
    upstreams: app.upstreams,
    shadowResults: app.shadowResults,
    metrics: app.metrics,
    natsConnected: () => app.natsConnected(),
    natsServer: () => app.natsServer(),
    readyNeedsInstances: config.readyNeedsInstances,
  };
  healthRoutes(app, options);
  // Everything else the admin endpoints show or change: on the public port, to this machine only.
  app.register(async (admin) => {
    if (config.adminOnMainPort) admin.addHook("onRequest", thisMachineOnly);
    adminRoutes(admin, options);
    trafficRoutes(admin, { traffic: app.traffic, directory: app.directory, shadowResults: app.shadowResults });
    // GET /_/dashboard: the live page over /_/stats, wherever the admin endpoints are.
    await admin.register(dashboardPlugin);
  });
}

function createApp(config: AppConfig): FastifyInstance {
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

/** The NATS request inside its client span, whose context the service continues. */
async function tracedForward(tracer: Tracer, server: Span, forward: () => Promise<Msg>, route: Route, headers: MsgHdrs): Promise<Msg> {
  const span = startClientSpan(tracer, server, route);
  headers.set(Headers.traceparent, traceparentOf(span));
  try {
    const answer = await forward();
    endClientSpan(span, { deployment: answer.headers?.get(Headers.deployment) });
    return answer;
  } catch (err) {
    const error = GatewayError.is(err) ? err : undefined;
    endClientSpan(span, { errorCode: error?.code ?? "GATEWAY_INTERNAL", serverError: (error?.status ?? 500) >= 500 });
    throw err;
  }
}

/**
 * Times every answered request for http_server_request_duration_seconds, labelled with the route
 * template that matched (Fastify's own for the admin endpoints), "" when none did.
 */
function recordDurations(app: FastifyInstance, http: HttpStats): void {
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeMatch?.route.template.source ?? (request.routeOptions.url === "*" ? "" : (request.routeOptions.url ?? ""));
    http.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return q === -1 ? request.url : request.url.slice(0, q);
}
