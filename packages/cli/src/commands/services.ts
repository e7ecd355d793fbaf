/** `switchyard services`: each route with the live instances serving it, and their counters. */
import { fetchServices, type ServedRoute } from "../admin.js";
import type { Io } from "../io.js";
import { formatTable, type Column } from "../table.js";

export interface ServicesOptions {
  admin: string;
  json: boolean;
  timeoutMs: number;
}

const COLUMNS: Column[] = [
  { header: "METHOD" },
  { header: "PATH" },
  { header: "SERVICE" },
  { header: "LANGUAGE" },
  { header: "VERSION" },
  { header: "INSTANCE" },
  { header: "REQUESTS", align: "right" },
  { header: "ERRORS", align: "right" },
  { header: "AVG MS", align: "right" },
];

export async function servicesCommand(options: ServicesOptions, io: Io): Promise<number> {
  const routes = await fetchServices(options.admin, options.timeoutMs);
  if (options.json) {
    io.stdout(JSON.stringify({ routes }, null, 2) + "\n");
    return 0;
  }
  io.stdout(formatTable(COLUMNS, routes.flatMap(rowsOf)));
  return 0;
}

/** One row per instance; a route nobody serves still gets a row, so the gap shows. */
function rowsOf(route: ServedRoute): string[][] {
  if (route.instances.length === 0) {
    return [[route.method, route.path, "-", "-", "-", "no instance", "-", "-", "-"]];
  }
  return route.instances.map((i) => [
    route.method,
    route.path,
    i.service,
    i.language,
    i.version,
    i.id,
    count(i.requests),
    count(i.errors),
    Number.isFinite(i.averageProcessingMs) ? i.averageProcessingMs.toFixed(2) : "?",
  ]);
}

const count = (n: number): string => (Number.isFinite(n) ? String(n) : "?");
