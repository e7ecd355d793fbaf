/** What the admin endpoints answer: the fields the CLI reads (the checks in shape.ts make them true). */

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

// The shadow report is the gateway's own type (type-only: no gateway code is loaded; the gateway
// stays a devDependency).
export type { MismatchPair, ShadowReport, ShownReply } from "@switchyard/gateway";
