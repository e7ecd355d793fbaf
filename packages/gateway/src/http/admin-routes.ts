import type { FastifyInstance } from "fastify";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import type { GatewayMetrics } from "../metrics/prometheus.js";
import type { ShadowResults } from "../shadow/shadow-results.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { TrafficControl } from "../traffic/traffic-control.js";
import { GatewayError } from "../errors.js";
import type { RefusedBinding, Route } from "../routes/route.js";
import type { ContractConflict } from "../routes/route-registry.js";
import { routeTraffic } from "./deployment-view.js";
import { replyWithError } from "./problem-reply.js";

export interface AdminOptions {
  routes: () => readonly Route[];
  /** Instances carrying contracts that cannot be served together, as the gateway found them. */
  conflicts: () => readonly ContractConflict[];
  /** Bindings of the served contracts the gateway cannot serve, and why. */
  refused: () => readonly RefusedBinding[];
  directory: ServiceDirectory;
  traffic: TrafficControl;
  upstreams: UpstreamStats;
  shadowResults: ShadowResults;
  /** Served at /metrics; undefined with METRICS=false. */
  metrics: GatewayMetrics | undefined;
  natsConnected: () => boolean;
  /** The NATS server the gateway is connected to (host:port). */
  natsServer: () => string;
  /** /readyz also needs a live instance behind every route (default); false: NATS alone. */
  readyNeedsInstances: boolean;
}

/** The paths the admin endpoints take, besides everything under /_/; a contract route on one is refused. */
export const ADMIN_PATHS = ["/healthz", "/readyz", "/metrics"] as const;

export function isAdminPath(path: string): boolean {
  return (ADMIN_PATHS as readonly string[]).includes(path) || path === "/_" || path.startsWith("/_/");
}

/** Health for orchestrators: public wherever the gateway listens, as probes come from outside. */
export function healthRoutes(app: FastifyInstance, options: AdminOptions): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (request, reply) => {
    if (!options.natsConnected()) {
      return replyWithError(new GatewayError("NOT_READY", "not connected to NATS"), request, reply);
    }
    if (options.readyNeedsInstances) {
      if (!options.directory.ready) {
        return replyWithError(new GatewayError("NOT_READY", "service discovery has not completed yet"), request, reply);
      }
      const unserved = options.routes().filter((r) => options.directory.serving(r.subject).length === 0);
      if (unserved.length > 0) {
        const list = unserved.map((r) => `${r.verb} ${r.template.source}`).join(", ");
        return replyWithError(new GatewayError("NOT_READY", `no live instance serves ${list}`), request, reply);
      }
    }
    if (!options.traffic.ready) {
      return replyWithError(new GatewayError("NOT_READY", "the traffic policies have not been read yet"), request, reply);
    }
    return { status: "ready" };
  });
}

/** What serves each route right now, the metrics and the live numbers. */
export function adminRoutes(app: FastifyInstance, options: AdminOptions): void {
  app.get("/_/routes", async () => ({ routes: options.routes().map(describeRoute) }));

  const metrics = options.metrics;
  if (metrics !== undefined) {
    app.get("/metrics", async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
  }

  app.get("/_/services", async () => ({
    routes: options.routes().map((route) => servedRoute(route, options, false)),
    refused: options.refused().map(({ verb, path, subject, reason }) => ({ verb: verb ?? null, path, rpc: subject, reason })),
    conflicts: options.conflicts(),
  }));

  // What the dashboard and `switchyard top` show, polled every second or so: /_/services with the
  // last minute per second, the gateway's own state and the shadow comparisons.
  app.get("/_/stats", async () => {
    const now = Date.now();
    return {
      at: new Date(now).toISOString(),
      gateway: {
        natsConnected: options.natsConnected(),
        natsServer: options.natsServer(),
        uptimeSeconds: Math.round(process.uptime()),
        trafficPolicies: options.traffic.unavailable ?? (options.traffic.ready ? "loaded" : "loading"),
      },
      routes: options.routes().map((route) => servedRoute(route, options, true, now)),
      shadow: options.shadowResults.reports().map((r) => ({
        rpc: r.rpc,
        shadow: r.shadow,
        sent: r.sent,
        compared: r.compared,
        mismatches: r.mismatches,
        mismatchRate: r.mismatchRate,
        fields: r.fields,
        latestMismatch: r.recent[0] ?? null,
      })),
      conflicts: options.conflicts(),
    };
  });
}

/** One route with its live instances and its deployments' traffic. */
function servedRoute(route: Route, options: AdminOptions, series: boolean, now = Date.now()) {
  return {
    ...describeRoute(route),
    instances: options.directory.serving(route.subject).map((instance) => {
      // The instance's requests on this RPC: from the shared queue group and for its deployment alone.
      const endpoints = instance.endpoints.filter((e) => e.rpcSubject === route.subject);
      const requests = endpoints.reduce((n, e) => n + e.requests, 0);
      const processingMs = endpoints.reduce((n, e) => n + e.averageProcessingMs * e.requests, 0);
      const started = Date.parse(instance.started);
      return {
        service: instance.service,
        language: instance.language,
        version: instance.version,
        deployment: instance.deployment,
        id: instance.id,
        natsServer: instance.natsServer,
        uptimeSeconds: Number.isNaN(started) ? null : Math.max(0, Math.round((now - started) / 1000)),
        requests,
        errors: endpoints.reduce((n, e) => n + e.errors, 0),
        averageProcessingMs: requests === 0 ? 0 : processingMs / requests,
      };
    }),
    ...routeTraffic(route, options, { series, now }),
  };
}

function describeRoute(route: Route) {
  return {
    method: route.verb,
    path: route.template.source,
    rpc: `${route.method.parent.typeName}.${route.method.name}`,
    subject: route.subject,
  };
}
