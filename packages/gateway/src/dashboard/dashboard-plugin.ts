import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { GatewayError } from "../errors.js";
import { findClient, findUplot, loadFolder, UPLOT_ASSETS, type Asset } from "./dashboard-assets.js";
import { DASHBOARD_CSP, dashboardHtml } from "./dashboard-page.js";

export const DASHBOARD_PATH = "/_/dashboard";

export interface DashboardPluginOptions {
  /** Where the page's scripts and styles are; found by findClient() when not given. */
  clientDir?: string;
  /** Where uPlot's files are; found by findUplot() when not given. */
  uplotDir?: string;
}

/**
 * GET /_/dashboard: the live view of what /_/stats says, polled every second, with its assets under
 * /_/dashboard/ (its own scripts and styles, and uPlot's, served from memory: no CDN). Register it
 * where the admin endpoints are: `app.register(dashboardPlugin)`.
 */
export const dashboardPlugin: FastifyPluginAsync<DashboardPluginOptions> = async (app, options) => {
  const clientDir = findClient(options.clientDir);
  if (clientDir === undefined) {
    // /_/stats still serves; a missing page must not stop the gateway.
    app.log.warn("the dashboard's files were not found: /_/dashboard answers 404");
    app.get(DASHBOARD_PATH, async () => {
      throw new GatewayError("ROUTE_NOT_FOUND", "the dashboard is not installed here; its figures are at /_/stats");
    });
    return;
  }
  const uplotDir = findUplot(options.uplotDir);
  if (uplotDir === undefined) app.log.warn("uPlot's files (the uplot package) were not found: the dashboard draws no charts");

  const assets = new Map<string, Asset>();
  for (const [name, asset] of loadFolder(clientDir)) assets.set(name, asset);
  if (uplotDir !== undefined) for (const [name, asset] of loadFolder(uplotDir, UPLOT_ASSETS)) assets.set(`uplot/${name}`, asset);

  const page = dashboardHtml({ assetsPrefix: "dashboard/", charts: uplotDir !== undefined });
  app.get(DASHBOARD_PATH, async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("content-security-policy", DASHBOARD_CSP)
      .header("cache-control", "no-cache")
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .send(page),
  );
  // The page's URLs are relative to /_/dashboard; from /_/dashboard/ they would miss.
  app.get(`${DASHBOARD_PATH}/`, async (_request, reply) => reply.redirect("../dashboard", 301));

  for (const [name, asset] of assets) {
    app.get(`${DASHBOARD_PATH}/${name}`, async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header("cache-control", "no-cache").header("etag", asset.etag).header("x-content-type-options", "nosniff");
      if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
};
