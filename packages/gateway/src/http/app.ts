import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance } from "fastify";
import { Authenticator } from "../auth/index.js";
import { ServiceDirectory } from "../discovery/service-directory.js";
import { IdempotencyStore } from "../idempotency/index.js";
import { GatewayMetrics } from "../metrics/prometheus.js";
import { ServiceCaller } from "../nats/call-service.js";
import { RetryBudget } from "../nats/retry-budget.js";
import { StreamCaller } from "../nats/stream-caller.js";
import { buildOpenApi, docsPlugin, isDocsPath, openApiSource } from "../openapi/index.js";
import { RouteRegistry } from "../routes/route-registry.js";
import { ShadowResults } from "../shadow/shadow-results.js";
import { ShadowRunner } from "../shadow/shadow-runner.js";
import { HttpStats } from "../stats/http-stats.js";
import { UpstreamStats } from "../stats/upstream-stats.js";
import { Forwarder } from "../traffic/forwarder.js";
import { TrafficControl } from "../traffic/traffic-control.js";
import { requestBodies } from "../transcode/request-bodies.js";
import { GATEWAY_VERSION } from "../version.js";
import { registerAdmin } from "./admin-app.js";
import { isAdminPath } from "./admin-routes.js";
import type { Admission, GatewayOptions } from "./app-types.js";
import { BodyBudget } from "./body-reader.js";
import { catchAllRoute } from "./catch-all-route.js";
import { createApp } from "./create-app.js";
import { corsOptions, rateLimitOptions } from "./edge-policy.js";
import { endServerSpan } from "./request-tracing.js";

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
  const json = {
    ignoreUnknownFields: config.unknownFields === "ignore",
    emitUnpopulated: config.emitUnpopulated,
    validate: config.validateAtGateway,
  };
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
    catchAllRoute(scope, {
      config,
      registry,
      admission,
      tracer,
      authenticator,
      idempotency,
      forwarder,
      streams,
      json,
      closing: () => closing,
    });
  });
  return app;
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
