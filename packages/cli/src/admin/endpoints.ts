/** Every admin endpoint the CLI uses (/_/routes, /_/services, /_/stats, /_/traffic, /_/shadow), each with its reply's shape. */
import { admin, trafficPath } from "./request.js";
import { anything, boolean, counts, deployment, fieldCount, list, nullable, number, object, oneOf, optional, policyView, route, instance, string } from "./shape.js";
import type {
  AdminTarget,
  ContractConflict,
  HistoryEntry,
  MismatchPair,
  PolicyChange,
  PolicyView,
  RouteInfo,
  ServedRoute,
  ShadowReport,
  ShownReply,
  Stats,
  StatsRoute,
} from "./types.js";

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
  const shown = object<ShownReply>({ deployment: string, status: oneOf("ok", "error"), reply: anything, code: optional(string), field: optional(string) });
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
