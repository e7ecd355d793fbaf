import { collectDefaultMetrics, Registry, type Metric } from "prom-client";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import type { ConnectionState } from "../nats/connection-state.js";
import type { ShadowResults } from "../shadow/shadow-results.js";
import type { HttpStats } from "../stats/http-stats.js";
import { SECONDS_BOUNDS } from "../stats/latency.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { TrafficControl } from "../traffic/traffic-control.js";

export interface MetricsSources {
  http: HttpStats;
  upstreams: UpstreamStats;
  nats: ConnectionState;
  directory: ServiceDirectory;
  traffic: TrafficControl;
  shadow: ShadowResults;
}

type Labels = Record<string, string | number>;
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}

/**
 * A metric prom-client formats but does not keep: its samples are read from the gateway's own
 * counters when scraped. The request path records into flat arrays (tens of nanoseconds); prom-client's
 * own observe() hashes its labels on every call, about 0.5 µs, and a request records several.
 */
class Collected {
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
    private readonly read: () => Sample[],
  ) {}

  async get() {
    return { name: this.name, help: this.help, type: this.type, values: this.read(), aggregator: this.aggregator };
  }
}

/** The samples of one histogram series: cumulative buckets, +Inf, sum and count. */
function histogram(name: string, labels: Labels, buckets: Float64Array, sum: number, count: number): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  SECONDS_BOUNDS.forEach((bound, i) => {
    cumulative += buckets[i]!;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
  });
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}

/**
 * The gateway's metrics in the Prometheus text format. Names follow the Prometheus naming guide and,
 * for HTTP, OpenTelemetry's semantic conventions; every label is bounded: route templates, never
 * raw paths; RPCs and deployments the contracts and services name.
 */
export function gatewayRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const add = (name: string, help: string, type: Collected["type"], read: () => Sample[]) =>
    registry.registerMetric(new Collected(name, help, type, read) as unknown as Metric);
  const upstreamLabels = (u: { service: string; method: { name: string }; deployment: string }) => ({
    service: u.service,
    rpc: u.method.name,
    deployment: u.deployment,
  });

  add("http_server_request_duration_seconds", "Duration of HTTP requests the gateway answered.", "histogram", () =>
    [...sources.http.all()].flatMap((c) =>
      histogram(
        "http_server_request_duration_seconds",
        { http_request_method: c.method, http_route: c.route, http_response_status_code: c.status },
        c.buckets,
        c.sumSeconds,
        c.count,
      ),
    ),
  );
  add(
    "switchyard_upstream_requests_total",
    "Requests sent to services, by the deployment that answered (\"\" when none did) and how they ended: ok, the service's error code, timeout, no_responders, unavailable or too_large.",
    "counter",
    () => sources.upstreams.all().flatMap((u) => [...u.outcomes].map(([outcome, n]) => ({ labels: { ...upstreamLabels(u), outcome }, value: n }))),
  );
  add("switchyard_upstream_request_duration_seconds", "Time from sending a request to a service to its reply or failure.", "histogram", () =>
    sources.upstreams
      .all()
      .filter((u) => u.count > 0)
      .flatMap((u) => histogram("switchyard_upstream_request_duration_seconds", upstreamLabels(u), u.buckets, u.sumSeconds, u.count)),
  );
  add("switchyard_upstream_requests_in_flight", "Requests sent to services and not answered yet, by the deployment they were sent to.", "gauge", () =>
    sources.upstreams.all().map((u) => ({ labels: upstreamLabels(u), value: u.inFlight })),
  );
  add(
    "switchyard_traffic_fallbacks_total",
    "Requests a traffic policy sent to a deployment with no live instance, which went to the shared queue group instead.",
    "counter",
    () => sources.upstreams.all().filter((u) => u.fallbacks > 0).map((u) => ({ labels: upstreamLabels(u), value: u.fallbacks })),
  );
  add("switchyard_traffic_policy_revision", "The revision of the traffic policy in force, per contract service.", "gauge", () =>
    sources.traffic
      .policies()
      .filter((p) => p.inForce !== undefined)
      .map((p) => ({ labels: { service: p.service }, value: p.inForce!.revision })),
  );
  add("switchyard_nats_connected", "1 while the gateway is connected to NATS, else 0.", "gauge", () => [
    { labels: {}, value: sources.nats.connected ? 1 : 0 },
  ]);
  add("switchyard_nats_disconnects_total", "Times the gateway lost its NATS connection.", "counter", () => [{ labels: {}, value: sources.nats.disconnects }]);
  add("switchyard_nats_reconnects_total", "Times the gateway got its NATS connection back.", "counter", () => [{ labels: {}, value: sources.nats.reconnects }]);
  add("switchyard_instances", "Live service instances discovery sees, by contract, deployment and language.", "gauge", () => {
    const counts = new Map<string, { labels: Labels; value: number }>();
    for (const i of sources.directory.instances()) {
      const labels = { contract: i.metadata["contract"] ?? "", deployment: i.deployment, language: i.language };
      const key = JSON.stringify(labels);
      const entry = counts.get(key) ?? { labels, value: 0 };
      entry.value++;
      counts.set(key, entry);
    }
    return [...counts.values()];
  });

  const shadowLabels = (r: { rpc: string; shadow: string }) => {
    const dot = r.rpc.lastIndexOf(".");
    return { service: r.rpc.slice(0, dot), rpc: r.rpc.slice(dot + 1), shadow: r.shadow };
  };
  add("switchyard_shadow_compared_total", "Requests whose primary and shadow replies were compared.", "counter", () =>
    sources.shadow.reports().map((r) => ({ labels: shadowLabels(r), value: r.compared })),
  );
  add(
    "switchyard_shadow_mismatched",
    "Compared requests whose replies differ in a field that is neither ignored nor noise; it falls when a field turns out to be noise.",
    "gauge",
    () => sources.shadow.reports().map((r) => ({ labels: shadowLabels(r), value: r.mismatches })),
  );
  add("switchyard_shadow_failures_total", "Shadow copies that got no reply, by why.", "counter", () =>
    sources.shadow.reports().flatMap((r) => Object.entries(r.shadowFailures).map(([reason, n]) => ({ labels: { ...shadowLabels(r), reason }, value: n ?? 0 }))),
  );
  add("switchyard_shadow_skipped_total", "Sampled requests not compared, by why.", "counter", () =>
    sources.shadow.reports().flatMap((r) => Object.entries(r.skipped).map(([reason, n]) => ({ labels: { ...shadowLabels(r), reason }, value: n ?? 0 }))),
  );
  return registry;
}
