import type { DescService } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Span, Tracer } from "@opentelemetry/api";
import type { GatewayConfig } from "../config.js";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import type { VerifiedIdentity } from "../auth/index.js";
import type { GatewayMetrics } from "../metrics/prometheus.js";
import type { RetryBudget } from "../nats/retry-budget.js";
import type { RouteRegistry } from "../routes/route-registry.js";
import type { RouteMatch, RouteTable } from "../routes/route-table.js";
import type { RpcCall } from "../rpc/rpc-call.js";
import type { ShadowResults } from "../shadow/shadow-results.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { TrafficControl } from "../traffic/traffic-control.js";
import type { BodyBudget } from "./body-reader.js";

export type AppConfig = Pick<
  GatewayConfig,
  | "requestTimeoutMs"
  | "bodyLimitBytes"
  | "logLevel"
  | "accessLog"
  | "metrics"
  | "discoveryIntervalMs"
  | "readyNeedsInstances"
  | "acceptServiceContracts"
  | "unknownFields"
  | "emitUnpopulated"
  | "validateAtGateway"
  | "docs"
  | "httpRequestTimeoutMs"
  | "httpHeadersTimeoutMs"
  | "keepAliveTimeoutMs"
  | "maxConnections"
  | "maxInFlight"
  | "bodyBufferLimitBytes"
  | "retryAfterS"
  | "retryBudgetPercent"
  | "corsOrigins"
  | "rateLimitMax"
  | "rateLimitWindowMs"
  | "auth"
  | "idempotency"
> & {
  /** Serve /healthz, /readyz and /_/* on this app (true) or leave them to buildAdmin() on another port. */
  adminOnMainPort: boolean;
};

export interface GatewayOptions {
  nc: NatsConnection;
  /** The contracts' services; every google.api.http rule on their RPCs becomes a route. */
  services: Iterable<DescService>;
  config: AppConfig;
  /** Traces requests when given: the process's tracer, made only when OTLP export is configured. */
  tracer?: Tracer | undefined;
  /** The connection's NATS_INBOX_PREFIX, where replies to the gateway arrive. */
  inboxPrefix?: string | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    routeMatch: Extract<RouteMatch, { kind: "found" }> | undefined;
    /** The request's HTTP server span, when tracing is on. */
    span: Span | undefined;
    /** The verified bearer token's subject and claims, when auth is on and the client sent one. */
    identity: VerifiedIdentity | undefined;
    /** A Connect or gRPC-Web call on an RPC path: errors are answered in its protocol. */
    rpcCall: RpcCall | undefined;
  }
  interface FastifyInstance {
    readonly routeTable: RouteTable;
    routeRegistry: RouteRegistry;
    directory: ServiceDirectory;
    natsConnected: () => boolean;
    natsServer: () => string;
    traffic: TrafficControl;
    upstreams: UpstreamStats;
    shadowResults: ShadowResults;
    /** What /metrics serves; undefined with METRICS=false. */
    metrics: GatewayMetrics | undefined;
    /** Requests refused as overloaded, and retries sent and refused by the budget. */
    admission: Admission;
  }
}

/** Requests forwarded and not yet answered, against MAX_IN_FLIGHT. */
export interface Admission {
  inFlight: number;
  overloaded: number;
  readonly retries: RetryBudget;
  readonly bodies: BodyBudget;
}
