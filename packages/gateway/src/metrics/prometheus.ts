import { collectDefaultMetrics, Registry } from "prom-client";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import type { ConnectionState } from "../nats/connection-state.js";
import type { ShadowResults } from "../shadow/shadow-results.js";
import type { HttpStats } from "../stats/http-stats.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { TrafficControl } from "../traffic/traffic-control.js";
import type { Admission } from "../http/app-types.js";
import { Exposition, labelText } from "./exposition.js";

export interface MetricsSources {
  http: HttpStats;
  upstreams: UpstreamStats;
  nats: ConnectionState;
  directory: ServiceDirectory;
  traffic: TrafficControl;
  shadow: ShadowResults;
  admission: Admission;
}

/**
 * The gateway's metrics in the Prometheus text format. Names follow the Prometheus naming guide and,
 * for HTTP, OpenTelemetry's semantic conventions; every label is bounded: route templates, never
 * raw paths; RPCs and deployments the contracts and services name.
 *
 * prom-client keeps the process's own metrics (CPU, memory, event loop, GC). The gateway's are
 * counted on the request path in flat arrays and written out here: prom-client's observe() hashes
 * its labels on every call (about 0.5 µs, several per request), and its formatter took about
 * 470 ms for the 40,000 samples of 1,000 routes with traffic (`npm run bench`), where writing each
 * series' labels once takes a small fraction of that.
 */
export class GatewayMetrics {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly registry = new Registry();

  constructor(private readonly sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
  }

  async text(): Promise<string> {
    return (await this.registry.metrics()) + this.own();
  }

  private own(): string {
    const { http, upstreams, nats, directory, traffic, shadow, admission } = this.sources;
    const out = new Exposition();

    out.family("http_server_request_duration_seconds", "histogram", "Duration of HTTP requests the gateway answered.");
    for (const c of http.all()) {
      c.labels ??= labelText({ http_request_method: c.method, http_route: c.route, http_response_status_code: c.status });
      out.histogram("http_server_request_duration_seconds", c.labels, c.buckets, c.sumSeconds, c.count);
    }

    const all = upstreams.all();
    const labelsOf = (u: (typeof all)[number]) => (u.labels ??= labelText({ service: u.service, rpc: u.method.name, deployment: u.deployment }));
    out.family(
      "switchyard_upstream_requests_total",
      "counter",
      'Requests sent to services, by the deployment that answered ("" when none did) and how they ended: ok, the service\'s error code, timeout, no_responders, unavailable or too_large.',
    );
    for (const u of all) {
      for (const [outcome, n] of u.outcomes) out.sample("switchyard_upstream_requests_total", `${labelsOf(u).slice(0, -1)},${labelText({ outcome }).slice(1)}`, n);
    }
    out.family("switchyard_upstream_request_duration_seconds", "histogram", "Time from sending a request to a service to its reply or failure.");
    for (const u of all) if (u.count > 0) out.histogram("switchyard_upstream_request_duration_seconds", labelsOf(u), u.buckets, u.sumSeconds, u.count);
    out.family("switchyard_upstream_requests_in_flight", "gauge", "Requests sent to services and not answered yet, by the deployment they were sent to.");
    for (const u of all) out.sample("switchyard_upstream_requests_in_flight", labelsOf(u), u.inFlight);
    out.family(
      "switchyard_traffic_fallbacks_total",
      "counter",
      "Requests a traffic policy sent to a deployment with no live instance, which went to the shared queue group instead.",
    );
    for (const u of all) if (u.fallbacks > 0) out.sample("switchyard_traffic_fallbacks_total", labelsOf(u), u.fallbacks);

    out.family("switchyard_traffic_policy_revision", "gauge", "The revision of the traffic policy in force, per contract service.");
    for (const p of traffic.policies()) {
      if (p.inForce !== undefined) out.sample("switchyard_traffic_policy_revision", labelText({ service: p.service }), p.inForce.revision);
    }

    out.family("switchyard_gateway_requests_in_flight", "gauge", "Requests forwarded to services and not answered yet, against MAX_IN_FLIGHT.");
    out.sample("switchyard_gateway_requests_in_flight", "", admission.inFlight);
    out.family("switchyard_gateway_overloaded_total", "counter", "Requests refused with 503 OVERLOADED because MAX_IN_FLIGHT requests were in flight.");
    out.sample("switchyard_gateway_overloaded_total", "", admission.overloaded);
    out.family("switchyard_gateway_request_body_bytes_buffered", "gauge", "Bytes of request bodies still arriving, against BODY_BUFFER_LIMIT_BYTES.");
    out.sample("switchyard_gateway_request_body_bytes_buffered", "", admission.bodies.used);
    out.family("switchyard_gateway_request_bodies_refused_total", "counter", "Requests refused with 503 OVERLOADED because BODY_BUFFER_LIMIT_BYTES of bodies were arriving.");
    out.sample("switchyard_gateway_request_bodies_refused_total", "", admission.bodies.refused);
    out.family("switchyard_gateway_retries_total", "counter", "Idempotent requests sent again after no responders or an UNAVAILABLE reply.");
    out.sample("switchyard_gateway_retries_total", "", admission.retries.retried);
    out.family("switchyard_gateway_retries_refused_total", "counter", "Retries the retry budget refused (RETRY_BUDGET_PERCENT of requests, beyond 10 a second).");
    out.sample("switchyard_gateway_retries_refused_total", "", admission.retries.refused);
    out.family("switchyard_gateway_retriable_requests_total", "counter", "Requests to idempotent RPCs: what the retry budget is a share of.");
    out.sample("switchyard_gateway_retriable_requests_total", "", admission.retries.requests);

    out.family("switchyard_nats_connected", "gauge", "1 while the gateway is connected to NATS, else 0.");
    out.sample("switchyard_nats_connected", "", nats.connected ? 1 : 0);
    out.family("switchyard_nats_disconnects_total", "counter", "Times the gateway lost its NATS connection.");
    out.sample("switchyard_nats_disconnects_total", "", nats.disconnects);
    out.family("switchyard_nats_reconnects_total", "counter", "Times the gateway got its NATS connection back.");
    out.sample("switchyard_nats_reconnects_total", "", nats.reconnects);

    out.family("switchyard_instances", "gauge", "Live service instances discovery sees, by contract, deployment and language.");
    const instances = new Map<string, number>();
    for (const i of directory.instances()) {
      const key = labelText({ contract: i.metadata["contract"] ?? "", deployment: i.deployment, language: i.language });
      instances.set(key, (instances.get(key) ?? 0) + 1);
    }
    for (const [labels, n] of instances) out.sample("switchyard_instances", labels, n);

    const reports = shadow.reports();
    const shadowLabels = (r: { rpc: string; shadow: string }, extra: Record<string, string> = {}) => {
      const dot = r.rpc.lastIndexOf(".");
      return labelText({ service: r.rpc.slice(0, dot), rpc: r.rpc.slice(dot + 1), shadow: r.shadow, ...extra });
    };
    out.family("switchyard_shadow_compared_total", "counter", "Requests whose primary and shadow replies were compared.");
    for (const r of reports) out.sample("switchyard_shadow_compared_total", shadowLabels(r), r.compared);
    out.family(
      "switchyard_shadow_mismatched",
      "gauge",
      "Compared requests whose replies differ in a field that is neither ignored nor noise; it falls when a field turns out to be noise.",
    );
    for (const r of reports) out.sample("switchyard_shadow_mismatched", shadowLabels(r), r.mismatches);
    out.family("switchyard_shadow_failures_total", "counter", "Shadow copies that got no reply, by why.");
    for (const r of reports) for (const [reason, n] of Object.entries(r.shadowFailures)) out.sample("switchyard_shadow_failures_total", shadowLabels(r, { reason }), n ?? 0);
    out.family("switchyard_shadow_skipped_total", "counter", "Sampled requests not compared, by why.");
    for (const r of reports) for (const [reason, n] of Object.entries(r.skipped)) out.sample("switchyard_shadow_skipped_total", shadowLabels(r, { reason }), n ?? 0);
    return out.text();
  }
}
