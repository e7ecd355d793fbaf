import type { ServiceDirectory, Instance } from "../discovery/service-directory.js";
import type { Route } from "../routes/route.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { MinuteSummary } from "../stats/minute-window.js";
import type { TrafficControl } from "../traffic/traffic-control.js";

/** One deployment behind one route: its instances, the weight it should get and what it got. */
export interface DeploymentView {
  deployment: string;
  languages: string[];
  versions: string[];
  instances: number;
  /** Its weight in the policy in force for this RPC; null without weights. */
  weight: number | null;
  /** Its weight over the sum of the weights; null without weights. */
  weightShare: number | null;
  /** Its share of the RPC's requests answered over the last minute, through this gateway. */
  share: number;
  requests: number;
  /** Requests whose outcome the client sees as a 5xx: timeouts, no responders, INTERNAL, UNAVAILABLE, ... */
  errors: number;
  rps: number;
  errorRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Requests sent to it that found no instance and went to the shared queue group (since start). */
  fallbacks: number;
  series?: MinuteSummary["series"];
}

export interface RouteTraffic {
  /** The policy revision in force for this route's service; null without one. */
  policyRevision: number | null;
  shadow: string | null;
  deployments: DeploymentView[];
  /** Requests of the last minute that no deployment answered (timeouts, no responders on the shared group). */
  unattributed: number;
}

/** What /_/services, /_/stats and the dashboard show per route: its deployments, live. */
export function routeTraffic(
  route: Route,
  deps: { directory: ServiceDirectory; traffic: TrafficControl; upstreams: UpstreamStats },
  options: { series: boolean; now?: number },
): RouteTraffic {
  const now = options.now ?? Date.now();
  const plan = deps.traffic.planFor(route);
  const instances = deps.directory.serving(route.subject);
  const byDeployment = new Map<string, Instance[]>();
  for (const instance of instances) {
    const name = instance.deployment;
    byDeployment.set(name, [...(byDeployment.get(name) ?? []), instance]);
  }
  const upstreams = deps.upstreams.ofMethod(route.method);
  const summaries = new Map<string, MinuteSummary>();
  for (const [name, upstream] of upstreams) summaries.set(name, upstream.minute.summary(now));
  const total = [...summaries.values()].reduce((sum, s) => sum + s.requests, 0);
  const weights = plan?.weights;
  const weightSum = Object.values(weights ?? {}).reduce((a, b) => a + b, 0);

  const names = new Set<string>([...byDeployment.keys(), ...upstreams.keys(), ...Object.keys(weights ?? {})]);
  names.delete("");
  const deployments = [...names].sort().map((name): DeploymentView => {
    const live = byDeployment.get(name) ?? [];
    const summary = summaries.get(name);
    const weight = weights?.[name];
    return {
      deployment: name,
      languages: [...new Set(live.map((i) => i.language))].sort(),
      versions: [...new Set(live.map((i) => i.version))].sort(),
      instances: live.length,
      weight: weight ?? (weights === undefined ? null : 0),
      weightShare: weights === undefined || weightSum === 0 ? null : (weight ?? 0) / weightSum,
      share: total === 0 || summary === undefined ? 0 : summary.requests / total,
      requests: summary?.requests ?? 0,
      errors: summary?.errors ?? 0,
      rps: summary?.rps ?? 0,
      errorRate: summary?.errorRate ?? 0,
      p50Ms: summary?.p50Ms ?? null,
      p99Ms: summary?.p99Ms ?? null,
      fallbacks: upstreams.get(name)?.fallbacks ?? 0,
      ...(options.series && summary !== undefined ? { series: summary.series } : {}),
    };
  });
  return {
    policyRevision: plan?.revision ?? deps.traffic.policy(route.method.parent.typeName)?.inForce?.revision ?? null,
    shadow: plan?.shadow?.deployment ?? null,
    deployments,
    unattributed: summaries.get("")?.requests ?? 0,
  };
}
