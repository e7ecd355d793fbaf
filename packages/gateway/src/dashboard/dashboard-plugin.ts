import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { GatewayError } from "../errors.js";
import { CLIENT_FILE, findClient, findUplot, UPLOT_ASSETS } from "./dashboard-assets.js";
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
 * /_/dashboard/ (its own scripts and styles, and uPlot's, served by @fastify/static as /docs' are:
 * no CDN, revalidated by ETag). Register it
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

  // Revalidated on every load (an upgraded gateway serves new files at the same names).
  const headers = (reply: FastifyReply) => void reply.header("cache-control", "no-cache").header("x-content-type-options", "nosniff");
  await app.register(fastifyStatic, {
    root: clientDir,
    prefix: `${DASHBOARD_PATH}/`,
    decorateReply: false,
    index: false,
    cacheControl: false,
    setHeaders: headers,
    allowedPath: (pathName) => CLIENT_FILE.test(pathName),
  });
  if (uplotDir !== undefined) {
    const uplot = new Set(UPLOT_ASSETS.map((name) => `/${name}`));
    await app.register(fastifyStatic, {
      root: uplotDir,
      prefix: `${DASHBOARD_PATH}/uplot/`,
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders: headers,
      allowedPath: (pathName) => uplot.has(pathName),
    });
  }
};
