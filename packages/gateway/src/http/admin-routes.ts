import type { FastifyInstance } from "fastify";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import type { ContractConflict } from "../routes/route-registry.js";
import { replyWithError } from "./problem-reply.js";

export interface AdminOptions {
  routes: () => readonly Route[];
  /** Instances carrying contracts that cannot be served together, as the gateway found them. */
  conflicts: () => readonly ContractConflict[];
  directory: ServiceDirectory;
  natsConnected: () => boolean;
  /** /readyz also needs a live instance behind every route (default); false: NATS alone. */
  readyNeedsInstances: boolean;
}

/** The paths the admin endpoints take; a contract route on one of them is a start-up error. */
export const ADMIN_PATHS = ["/healthz", "/readyz", "/_/services", "/_/routes"] as const;

/** Health for orchestrators, and what serves each route right now. */
export function adminRoutes(app: FastifyInstance, options: AdminOptions): void {
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
    return { status: "ready" };
  });

  app.get("/_/routes", async () => ({ routes: options.routes().map(describeRoute) }));

  app.get("/_/services", async () => ({
    routes: options.routes().map((route) => ({
      ...describeRoute(route),
      instances: options.directory.serving(route.subject).map((instance) => {
        const endpoint = instance.endpoints.find((e) => e.subject === route.subject)!;
        return {
          service: instance.service,
          language: instance.language,
          version: instance.version,
          id: instance.id,
          requests: endpoint.requests,
          errors: endpoint.errors,
          averageProcessingMs: endpoint.averageProcessingMs,
        };
      }),
    })),
    conflicts: options.conflicts(),
  }));
}

function describeRoute(route: Route) {
  return {
    method: route.verb,
    path: route.template.source,
    rpc: `${route.method.parent.typeName}.${route.method.name}`,
    subject: route.subject,
  };
}
