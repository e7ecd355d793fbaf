/** The gateway's admin endpoints, GET /_/routes and GET /_/services, read and checked. */
import { CliError, jsonOf, send } from "./http.js";

export interface RouteInfo {
  method: string;
  path: string;
  rpc: string;
  subject: string;
}

export interface InstanceInfo {
  service: string;
  language: string;
  version: string;
  id: string;
  requests: number;
  errors: number;
  averageProcessingMs: number;
}

export interface ServedRoute extends RouteInfo {
  instances: InstanceInfo[];
}

export async function fetchRoutes(admin: string, timeoutMs: number): Promise<RouteInfo[]> {
  const body = await getAdmin(admin, "/_/routes", timeoutMs);
  return routesIn(body, `${admin}/_/routes`).map(routeInfo);
}

export async function fetchServices(admin: string, timeoutMs: number): Promise<ServedRoute[]> {
  const where = `${admin}/_/services`;
  const body = await getAdmin(admin, "/_/services", timeoutMs);
  return routesIn(body, where).map((entry) => {
    const instances = entry["instances"];
    if (!Array.isArray(instances)) throw unexpected(where, "a route has no instances list");
    return { ...routeInfo(entry), instances: instances.map((i: unknown) => instanceInfo(i, where)) };
  });
}

/** The JSON of an admin endpoint; a 404 from the main port says where admin may be instead. */
async function getAdmin(admin: string, path: string, timeoutMs: number): Promise<unknown> {
  const reply = await send(admin, path, { method: "GET", headers: { accept: "application/json" }, timeoutMs });
  const body = jsonOf(reply);
  if (reply.status !== 200) {
    const problem = (typeof body === "object" && body !== null ? body : {}) as { code?: unknown; detail?: unknown };
    const code = typeof problem.code === "string" ? problem.code : reply.statusText;
    const detail = typeof problem.detail === "string" ? `: ${problem.detail}` : "";
    const hint =
      reply.status === 404
        ? "; the admin endpoints may be on their own port (ADMIN_PORT): pass --admin <url> or set SWITCHYARD_ADMIN"
        : "";
    throw new CliError(`GET ${reply.url}: ${reply.status} ${code}${detail}${hint}`);
  }
  if (body === undefined) throw unexpected(reply.url, "the reply is not JSON");
  return body;
}

function routesIn(body: unknown, where: string): Record<string, unknown>[] {
  const routes = (body as { routes?: unknown }).routes;
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === "object" && r !== null)) {
    throw unexpected(where, "no routes list");
  }
  return routes as Record<string, unknown>[];
}

function routeInfo(entry: Record<string, unknown>): RouteInfo {
  return {
    method: text(entry["method"]),
    path: text(entry["path"]),
    rpc: text(entry["rpc"]),
    subject: text(entry["subject"]),
  };
}

function instanceInfo(value: unknown, where: string): InstanceInfo {
  if (typeof value !== "object" || value === null) throw unexpected(where, "an instance is not an object");
  const entry = value as Record<string, unknown>;
  return {
    service: text(entry["service"]),
    language: text(entry["language"]),
    version: text(entry["version"]),
    id: text(entry["id"]),
    requests: num(entry["requests"]),
    errors: num(entry["errors"]),
    averageProcessingMs: num(entry["averageProcessingMs"]),
  };
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : Number.NaN);

function unexpected(where: string, what: string): CliError {
  return new CliError(`unexpected reply from GET ${where}: ${what}; is this a Switchyard gateway?`);
}
