import type { DescMethod } from "@bufbuild/protobuf";
import { DEPLOYMENT_NAME } from "@switchyard/protocol";
import { SECONDS_BOUNDS, secondsBucket } from "./latency.js";
import { MinuteWindow } from "./minute-window.js";

/**
 * How a request to a service ended: `ok`, a service error code (`NOT_FOUND`), or a failure of the
 * gateway's own: `timeout`, `no_responders`, `unavailable` (NATS down) or `too_large`.
 */
export type Outcome = string;

/** Outcomes that count as errors in rates and shares: those the HTTP client sees as a 5xx. */
const SERVER_ERRORS = new Set(["INTERNAL", "UNKNOWN", "DATA_LOSS", "UNIMPLEMENTED", "UNAVAILABLE", "DEADLINE_EXCEEDED", "timeout", "no_responders", "unavailable", "bad_reply"]);

export function isServerError(outcome: Outcome): boolean {
  return SERVER_ERRORS.has(outcome);
}

/**
 * One upstream: an RPC as served by one deployment. `deployment` is "" for requests sent to the
 * shared queue group that no deployment answered (a timeout, no responders).
 */
export class Upstream {
  /** The series' label set as /metrics writes it, rendered on the first scrape. */
  labels: string | undefined;
  inFlight = 0;
  /** Requests sent to this deployment that no instance took, and so went to the shared queue group. */
  fallbacks = 0;
  readonly outcomes = new Map<Outcome, number>();
  /** Cumulative, one count per SECONDS_BOUNDS bound and one for +Inf (not cumulated across buckets). */
  readonly buckets = new Float64Array(SECONDS_BOUNDS.length + 1);
  sumSeconds = 0;
  count = 0;
  readonly minute = new MinuteWindow();

  constructor(
    readonly method: DescMethod,
    readonly deployment: string,
  ) {}

  get service(): string {
    return this.method.parent.typeName;
  }

  record(outcome: Outcome, ms: number, nowMs: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    const seconds = ms / 1000;
    this.buckets[secondsBucket(seconds)]!++;
    this.sumSeconds += seconds;
    this.count++;
    this.minute.record(nowMs, ms, isServerError(outcome));
  }
}

/**
 * Deployments counted apart per RPC. Names come from services' replies: past this many, or for a
 * name that is not a deployment name, requests count under OTHER, so a service that misbehaves
 * cannot grow the gateway's memory or its metrics' label sets without bound.
 */
export const MAX_DEPLOYMENTS_PER_RPC = 64;
export const OTHER = "(other)";

/** Every upstream the gateway has sent to, by RPC and deployment, created on first use. */
export class UpstreamStats {
  private readonly byMethod = new Map<DescMethod, Map<string, Upstream>>();

  of(method: DescMethod, deployment: string): Upstream {
    let byDeployment = this.byMethod.get(method);
    if (byDeployment === undefined) {
      byDeployment = new Map();
      this.byMethod.set(method, byDeployment);
    }
    let upstream = byDeployment.get(deployment);
    if (upstream === undefined) {
      const counted = (deployment === "" || DEPLOYMENT_NAME.test(deployment)) && byDeployment.size < MAX_DEPLOYMENTS_PER_RPC;
      if (!counted) return deployment === OTHER ? this.create(byDeployment, method, OTHER) : this.of(method, OTHER);
      upstream = this.create(byDeployment, method, deployment);
    }
    return upstream;
  }

  private create(byDeployment: Map<string, Upstream>, method: DescMethod, deployment: string): Upstream {
    const upstream = new Upstream(method, deployment);
    byDeployment.set(deployment, upstream);
    return upstream;
  }

  /** The upstreams of one RPC, by deployment. */
  ofMethod(method: DescMethod): ReadonlyMap<string, Upstream> {
    return this.byMethod.get(method) ?? new Map();
  }

  all(): Upstream[] {
    return [...this.byMethod.values()].flatMap((m) => [...m.values()]);
  }
}
