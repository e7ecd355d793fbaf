/** `switchyard services`: each route's live instances and their counters, then its deployments' traffic. */
import { fetchServices, type AdminTarget, type ServedRoute } from "../admin/index.js";
import { errorPercent, millis, percent, rate, weightCell } from "../format.js";
import type { Io } from "../io.js";
import { formatTable, type Column } from "../table.js";

export interface ServicesOptions extends AdminTarget {
  json: boolean;
}

const INSTANCE_COLUMNS: Column[] = [
  { header: "METHOD" },
  { header: "PATH" },
  { header: "SERVICE" },
  { header: "DEPLOYMENT" },
  { header: "LANGUAGE" },
  { header: "VERSION" },
  { header: "INSTANCE" },
  { header: "NATS NODE" },
  { header: "REQUESTS", align: "right" },
  { header: "ERRORS", align: "right" },
  { header: "AVG MS", align: "right" },
];

const DEPLOYMENT_COLUMNS: Column[] = [
  { header: "METHOD" },
  { header: "PATH" },
  { header: "DEPLOYMENT" },
  { header: "INSTANCES", align: "right" },
  { header: "WEIGHT", align: "right" },
  { header: "SHARE", align: "right" },
  { header: "RPS", align: "right" },
  { header: "ERR%", align: "right" },
  { header: "P50 MS", align: "right" },
  { header: "P99 MS", align: "right" },
  { header: "FALLBACKS", align: "right" },
];

export async function servicesCommand(options: ServicesOptions, io: Io): Promise<number> {
  const reply = await fetchServices(options);
  if (options.json) {
    io.stdout(JSON.stringify(reply, null, 2) + "\n");
    return 0;
  }
  io.stdout(formatTable(INSTANCE_COLUMNS, reply.routes.flatMap(instanceRows)));
  const deployments = reply.routes.flatMap(deploymentRows);
  if (deployments.length > 0) io.stdout("\n" + formatTable(DEPLOYMENT_COLUMNS, deployments));
  return 0;
}

/** One row per instance; a route nobody serves still gets a row, so the gap shows. */
function instanceRows(route: ServedRoute): string[][] {
  if (route.instances.length === 0) {
    return [[route.method, route.path, "-", "-", "-", "-", "no instance", "-", "-", "-", "-"]];
  }
  return route.instances.map((i) => [
    route.method,
    route.path,
    i.service,
    i.deployment || "-",
    i.language,
    i.version,
    i.id,
    i.natsServer || "-",
    String(i.requests),
    String(i.errors),
    i.averageProcessingMs.toFixed(2),
  ]);
}

/** One row per deployment the route has instances of, weights for, or traffic to in the last minute. */
function deploymentRows(route: ServedRoute): string[][] {
  return route.deployments.map((d) => [
    route.method,
    route.path,
    d.deployment,
    String(d.instances),
    weightCell(d.weight, d.weightShare),
    percent(d.share),
    rate(d.rps),
    errorPercent(d.errorRate),
    millis(d.p50Ms),
    millis(d.p99Ms),
    String(d.fallbacks),
  ]);
}
