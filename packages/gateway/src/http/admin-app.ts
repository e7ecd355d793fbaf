import type { FastifyInstance } from "fastify";
import { dashboardPlugin } from "../dashboard/dashboard-plugin.js";
import { adminRoutes, healthRoutes } from "./admin-routes.js";
import type { AppConfig } from "./app-types.js";
import { createApp } from "./create-app.js";
import { thisMachineOnly } from "./local-only.js";
import { trafficRoutes } from "./traffic-routes.js";

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

/** /healthz and /readyz, and the /_/* endpoints and dashboard over the app's decorations. */
export function registerAdmin(app: FastifyInstance, config: AppConfig): void {
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
