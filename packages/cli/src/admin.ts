/**
 * The gateway's admin endpoints (/_/routes, /_/services, /_/stats, /_/traffic, /_/shadow): read,
 * changed, and shape-checked. A checked reply is the gateway's JSON as it came, so `--json` prints
 * exactly that; the types name the fields the CLI reads, and the checks make them true.
 */
import { CliError, jsonOf, send } from "./http.js";

/** Where the admin endpoints are, and how long to wait for each. */
export interface AdminTarget {
  admin: string;
  timeoutMs: number;
  /** Ends a request early, as Ctrl-C does in `top`. */
  signal?: AbortSignal;
}

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
  /** "" for an instance whose SDK predates deployments. */
  deployment: string;
  id: string;
  /** The nats-server it registered through; "" when it does not say. */
  natsServer: string;
  requests: number;
  errors: number;
  averageProcessingMs: number;
}

/** One deployment behind one route: what it should get (weight) and what it got over the last minute. */
export interface DeploymentInfo {
  deployment: string;
  instances: number;
  weight: number | null;
  weightShare: number | null;
  share: number;
  rps: number;
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  fallbacks: number;
}

export interface ServedRoute extends RouteInfo {
  instances: InstanceInfo[];
  deployments: DeploymentInfo[];
}

export interface ContractConflict {
  service: string;
  reason: string;
}

export interface StatsRoute extends RouteInfo {
  /** Requests per second of the last 60 s, oldest first; absent for a deployment with no traffic yet. */
  deployments: (DeploymentInfo & { series?: { requests: number[] } })[];
}

export interface Stats {
  at: string;
  gateway: { natsConnected: boolean; natsServer: string; uptimeSeconds: number; trafficPolicies: string };
  routes: StatsRoute[];
  shadow: { rpc: string; shadow: string; compared: number; mismatches: number; mismatchRate: number; fields: FieldCount[] }[];
  conflicts: ContractConflict[];
}

/** A service's traffic policy; `revision` and `policy` are null when it has none. */
export interface PolicyView {
  service: string;
  revision: number | null;
  policy: unknown;
  comment?: string | null;
  changedAt?: string | null;
  inForceRevision?: number | null;
  /** Why the latest revision is not in force. */
  problem?: string;
}

export interface PolicyChange {
  policy: unknown;
  comment?: string;
  /** 0: there must be no policy yet. */
  expectedRevision?: number;
}

export interface HistoryEntry {
  revision: number;
  removed: boolean;
  policy: unknown;
  comment: string | null;
  changedAt: string | null;
  /** Set when the stored revision cannot be read. */
  problem?: string;
}

export interface FieldCount {
  field: string;
  mismatches: number;
}

/** One side of a compared request. */
export interface ShownReply {
  deployment: string;
  status: string;
  reply?: unknown;
  code?: string;
  field?: string;
}

export interface MismatchPair {
  at: string;
  requestId: string;
  request: unknown;
  primary: ShownReply;
  shadow: ShownReply;
  fields: string[];
}

export interface ShadowReport {
  rpc: string;
  shadow: string;
  since: string;
  sent: number;
  compared: number;
  mismatches: number;
  mismatchRate: number;
  shadowFailures: Record<string, number>;
  skipped: Record<string, number>;
  noiseSamples: number;
  fields: FieldCount[];
  noise: { field: string; count: number }[];
  /** Newest first. */
  recent: MismatchPair[];
}

export async function fetchRoutes(target: AdminTarget): Promise<{ routes: RouteInfo[] }> {
  return admin(target, "GET", "/_/routes", object({ routes: list(route) }));
}

export async function fetchServices(target: AdminTarget): Promise<{ routes: ServedRoute[] }> {
  const served = object<ServedRoute>({ ...route.fields, instances: list(instance), deployments: list(deployment) });
  return admin(target, "GET", "/_/services", object({ routes: list(served) }));
}

export async function fetchStats(target: AdminTarget): Promise<Stats> {
  const withSeries = object({ ...deployment.fields, series: optional(object({ requests: list(number) })) });
  const shadow = object<Stats["shadow"][number]>({
    rpc: string,
    shadow: string,
    compared: number,
    mismatches: number,
    mismatchRate: number,
    fields: list(fieldCount),
  });
  const shape = object<Stats>({
    at: string,
    gateway: object<Stats["gateway"]>({ natsConnected: boolean, natsServer: string, uptimeSeconds: number, trafficPolicies: string }),
    routes: list(object<StatsRoute>({ ...route.fields, deployments: list(withSeries) })),
    shadow: list(shadow),
    conflicts: list(object<ContractConflict>({ service: string, reason: string })),
  });
  return admin(target, "GET", "/_/stats", shape);
}

export async function fetchPolicies(target: AdminTarget): Promise<{ policies: PolicyView[]; unavailable?: string }> {
  return admin(target, "GET", "/_/traffic", object({ policies: list(policyView), unavailable: optional(string) }));
}

export async function fetchPolicy(target: AdminTarget, service: string): Promise<PolicyView> {
  return admin(target, "GET", trafficPath(service), policyView);
}

export async function putPolicy(target: AdminTarget, service: string, change: PolicyChange): Promise<PolicyView & { warnings: string[] }> {
  return admin(target, "PUT", trafficPath(service), object({ ...policyView.fields, warnings: list(string) }), change);
}

export async function removePolicy(target: AdminTarget, service: string): Promise<PolicyView> {
  return admin(target, "DELETE", trafficPath(service), policyView);
}

export async function fetchHistory(target: AdminTarget, service: string): Promise<{ service: string; revisions: HistoryEntry[] }> {
  const entry = object<HistoryEntry>({
    revision: number,
    removed: boolean,
    policy: anything,
    comment: nullable(string),
    changedAt: nullable(string),
    problem: optional(string),
  });
  return admin(target, "GET", `${trafficPath(service)}/history`, object({ service: string, revisions: list(entry) }));
}

/** Puts back revision `to`, or without it the one before the latest; a new revision, or none left. */
export async function rollbackPolicy(target: AdminTarget, service: string, to: number | undefined): Promise<PolicyView> {
  return admin(target, "POST", `${trafficPath(service)}/rollback`, policyView, to === undefined ? {} : { revision: to });
}

export async function fetchShadowReports(target: AdminTarget): Promise<{ reports: ShadowReport[] }> {
  const shown = object<ShownReply>({ deployment: string, status: string, reply: anything, code: optional(string), field: optional(string) });
  const pair = object<MismatchPair>({ at: string, requestId: string, request: anything, primary: shown, shadow: shown, fields: list(string) });
  const report = object<ShadowReport>({
    rpc: string,
    shadow: string,
    since: string,
    sent: number,
    compared: number,
    mismatches: number,
    mismatchRate: number,
    shadowFailures: counts,
    skipped: counts,
    noiseSamples: number,
    fields: list(fieldCount),
    noise: list(object({ field: string, count: number })),
    recent: list(pair),
  });
  return admin(target, "GET", "/_/shadow", object({ reports: list(report) }));
}

export async function resetShadowReports(target: AdminTarget): Promise<void> {
  await admin(target, "DELETE", "/_/shadow", object({ reports: list(anything) }));
}

const trafficPath = (service: string) => `/_/traffic/${encodeURIComponent(service)}`;

/**
 * One admin request, its reply checked against `shape`. A problem reply is a CliError naming the
 * method, URL, status, code, detail and field; a 404 for the path itself says where admin may be instead.
 */
async function admin<T>(target: AdminTarget, method: string, path: string, shape: Check, body?: unknown): Promise<T> {
  const reply = await send(target.admin, path, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: target.timeoutMs,
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
  const json = jsonOf(reply);
  if (reply.status < 200 || reply.status >= 300) {
    const problem = (typeof json === "object" && json !== null ? json : {}) as { code?: unknown; detail?: unknown; field?: unknown };
    const code = typeof problem.code === "string" ? problem.code : reply.statusText;
    const detail = typeof problem.detail === "string" ? `: ${problem.detail}` : "";
    const field = typeof problem.field === "string" ? ` (field ${problem.field})` : "";
    // UNKNOWN_SERVICE and the like are answers from the admin API; only a missing path hints at ADMIN_PORT.
    const hint =
      reply.status === 404 && (problem.code === undefined || problem.code === "ROUTE_NOT_FOUND")
        ? "; the admin endpoints may be on their own port (ADMIN_PORT): pass --admin <url> or set SWITCHYARD_ADMIN"
        : "";
    throw new CliError(`${method} ${reply.url}: ${reply.status} ${code}${detail}${field}${hint}`);
  }
  const where = `${method} ${reply.url}`;
  if (json === undefined) throw unexpected(where, "the reply is not JSON");
  try {
    shape(json, "");
  } catch (err) {
    if (err instanceof ShapeMismatch) throw unexpected(where, err.message);
    throw err;
  }
  return json as T;
}

function unexpected(where: string, what: string): CliError {
  return new CliError(`unexpected reply from ${where}: ${what}; is this a Switchyard gateway?`);
}

// A few checks that compose into the shape of a reply; `object<T>` insists on a check for every field of T.
type Check = (value: unknown, path: string) => void;
type ObjectCheck<T> = Check & { fields: Record<keyof T, Check> };

class ShapeMismatch extends Error {}

function is(expected: string, test: (value: unknown) => boolean): Check {
  return (value, path) => {
    if (!test(value)) throw new ShapeMismatch(`${path === "" ? "the reply" : path} is not ${expected}`);
  };
}

const string = is("a string", (v) => typeof v === "string");
const number = is("a number", (v) => typeof v === "number" && Number.isFinite(v));
const boolean = is("true or false", (v) => typeof v === "boolean");
const anything: Check = () => undefined;
const isObject = is("an object", (v) => typeof v === "object" && v !== null && !Array.isArray(v));
const list = (check: Check): Check => (value, path) => {
  is("a list", Array.isArray)(value, path);
  (value as unknown[]).forEach((item, i) => check(item, `${path}[${i}]`));
};
const nullable = (check: Check): Check => (value, path) => value === null || check(value, path);
const optional = (check: Check): Check => (value, path) => value === undefined || check(value, path);

function object<T>(fields: Record<keyof T, Check>): ObjectCheck<T> {
  const check: Check = (value, path) => {
    isObject(value, path);
    for (const [name, field] of Object.entries<Check>(fields)) {
      field((value as Record<string, unknown>)[name], path === "" ? name : `${path}.${name}`);
    }
  };
  return Object.assign(check, { fields });
}

const counts: Check = (value, path) => {
  isObject(value, path);
  for (const [name, n] of Object.entries(value as object)) number(n, `${path}.${name}`);
};

const route = object<RouteInfo>({ method: string, path: string, rpc: string, subject: string });
const instance = object<InstanceInfo>({
  service: string,
  language: string,
  version: string,
  deployment: string,
  id: string,
  natsServer: string,
  requests: number,
  errors: number,
  averageProcessingMs: number,
});
const deployment = object<DeploymentInfo>({
  deployment: string,
  instances: number,
  weight: nullable(number),
  weightShare: nullable(number),
  share: number,
  rps: number,
  errorRate: number,
  p50Ms: nullable(number),
  p99Ms: nullable(number),
  fallbacks: number,
});
const fieldCount = object<FieldCount>({ field: string, mismatches: number });
const policyView = object<PolicyView>({
  service: string,
  revision: nullable(number),
  policy: anything,
  comment: optional(nullable(string)),
  changedAt: optional(nullable(string)),
  inForceRevision: optional(nullable(number)),
  problem: optional(string),
});
