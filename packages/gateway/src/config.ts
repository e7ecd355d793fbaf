import { availableParallelism } from "node:os";
import { ConfigError, natsOptionsFromEnv } from "@switchyard/protocol";
import { boolean, integer, list, oneOf, type Env } from "./env-settings.js";
import type { NodeConnectionOptions } from "@nats-io/transport-node";
import { authConfigFromEnv, type AuthSettings } from "./auth/index.js";
import { idempotencyConfigFromEnv, type IdempotencySettings } from "./idempotency/index.js";


const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GatewayConfig {
  port: number;
  host: string;
  /** How long the gateway waits for a service's reply before answering 504. */
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  logLevel: LogLevel;
  /** One log line per request; off by default, as it costs throughput. */
  accessLog: boolean;
  /** Count and time every request for /metrics, /_/services, /_/stats and the dashboard. */
  metrics: boolean;
  /** Serve /healthz, /readyz, /metrics and /_/* on this port too, on ADMIN_HOST; the public port then serves them to loopback only. */
  adminPort: number | undefined;
  /** The admin listener's address: loopback unless an operator opens it on purpose. */
  adminHost: string;
  /** Serve /docs and /openapi.json on the public port. */
  docs: boolean;
  /** The whole request, body included, must arrive within this; a stalled client is answered 408 and closed. */
  httpRequestTimeoutMs: number;
  /** The request's headers must arrive within this. */
  httpHeadersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open HTTP connections at most; past it, new sockets are closed at once. */
  maxConnections: number;
  /** Requests forwarded and not yet answered, at most; past it, 503 OVERLOADED at once. */
  maxInFlight: number;
  /** Bytes of request bodies still arriving, across all requests, at most; past it, 503 OVERLOADED. */
  bodyBufferLimitBytes: number;
  /** Connections the kernel may queue before the gateway accepts them (capped by net.core.somaxconn). */
  listenBacklog: number;
  /** The Retry-After of every 503 the gateway sends, in seconds. */
  retryAfterS: number;
  /** Retries of idempotent RPCs, as a percentage of requests (over 10 s), beyond a floor of 10 a second. */
  retryBudgetPercent: number;
  /** Origins allowed to call from a browser (CORS); empty: no CORS headers. `*` allows any. */
  corsOrigins: string[];
  /** Requests per client (IP, or the verified JWT subject) per window; 0: no limit. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** JWT bearer verification (AUTH_*); undefined: off. */
  auth: AuthSettings | undefined;
  /** Idempotency-Key on RPCs that are not idempotent (IDEMPOTENCY*). */
  idempotency: IdempotencySettings;
  /** How often the gateway asks the NATS services API which instances serve what. */
  discoveryIntervalMs: number;
  /** /readyz needs a live instance behind every route (true) or only a NATS connection. */
  readyNeedsInstances: boolean;
  /** Serve the contracts that live services carry, besides the gateway's own. */
  acceptServiceContracts: boolean;
  /** An unknown JSON field or query parameter: a 400 naming it (reject) or dropped (ignore). */
  unknownFields: "reject" | "ignore";
  /** JSON replies also write fields at their default value (grpc-gateway's EmitUnpopulated). */
  emitUnpopulated: boolean;
  /**
   * Check a JSON request's protovalidate rules here too, before NATS. Off by default: the service
   * SDKs check every request, whatever its encoding, with the same code, field and message.
   */
  validateAtGateway: boolean;
  /** Gateway processes on this machine, sharing its ports (cluster.ts); `auto`: one per core. */
  processes: number;
  nats: NodeConnectionOptions;
}

/** Reads the environment once at start-up; a bad value is a ConfigError naming the variable. */
export async function loadConfig(env: Env): Promise<GatewayConfig> {
  return { ...settingsFromEnv(env), nats: await natsOptionsFromEnv(env, "switchyard-gateway") };
}

/** Every setting but the NATS connection's: what an in-process gateway (a test, a bench) needs. */
export function settingsFromEnv(env: Env): Omit<GatewayConfig, "nats"> {
  const settings = {
    port: integer(env, "PORT", 3000, 0, 65535),
    host: env["HOST"] ?? "0.0.0.0",
    requestTimeoutMs: integer(env, "REQUEST_TIMEOUT_MS", 5000, 1, 300_000),
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", 1_048_576, 1, 100 * 1_048_576),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    accessLog: boolean(env, "ACCESS_LOG", false),
    metrics: boolean(env, "METRICS", true),
    adminPort: env["ADMIN_PORT"] ? integer(env, "ADMIN_PORT", 0, 1, 65535) : undefined,
    adminHost: env["ADMIN_HOST"] || "127.0.0.1",
    docs: boolean(env, "DOCS", true),
    httpRequestTimeoutMs: integer(env, "HTTP_REQUEST_TIMEOUT_MS", 10_000, 100, 600_000),
    httpHeadersTimeoutMs: integer(env, "HTTP_HEADERS_TIMEOUT_MS", 5_000, 100, 600_000),
    keepAliveTimeoutMs: integer(env, "HTTP_KEEP_ALIVE_TIMEOUT_MS", 72_000, 100, 600_000),
    maxConnections: integer(env, "MAX_CONNECTIONS", 10_000, 1, 1_000_000),
    maxInFlight: integer(env, "MAX_IN_FLIGHT", 256, 1, 1_000_000),
    bodyBufferLimitBytes: integer(env, "BODY_BUFFER_LIMIT_BYTES", 16 * 1_048_576, 1_048_576, 4096 * 1_048_576),
    listenBacklog: integer(env, "LISTEN_BACKLOG", 4096, 1, 65_535),
    retryAfterS: integer(env, "RETRY_AFTER_S", 1, 1, 3600),
    retryBudgetPercent: integer(env, "RETRY_BUDGET_PERCENT", 10, 0, 100),
    corsOrigins: list(env, "CORS_ORIGINS"),
    rateLimitMax: integer(env, "RATE_LIMIT_MAX", 0, 0, 1_000_000_000),
    rateLimitWindowMs: integer(env, "RATE_LIMIT_WINDOW_MS", 60_000, 1000, 86_400_000),
    auth: authConfigFromEnv(env),
    idempotency: idempotencyConfigFromEnv(env),
    discoveryIntervalMs: integer(env, "DISCOVERY_INTERVAL_MS", 5000, 100, 600_000),
    readyNeedsInstances: boolean(env, "READY_NEEDS_INSTANCES", true),
    acceptServiceContracts: boolean(env, "ACCEPT_SERVICE_CONTRACTS", false),
    unknownFields: oneOf(env, "UNKNOWN_FIELDS", ["reject", "ignore"] as const, "reject"),
    emitUnpopulated: boolean(env, "EMIT_UNPOPULATED", false),
    validateAtGateway: boolean(env, "VALIDATE_AT_GATEWAY", false),
    processes: env["GATEWAY_PROCESSES"]?.trim() === "auto" ? availableParallelism() : integer(env, "GATEWAY_PROCESSES", 1, 1, 256),
  };
  // Node refuses a headers timeout longer than the request's.
  if (settings.httpHeadersTimeoutMs > settings.httpRequestTimeoutMs) {
    throw new ConfigError("HTTP_HEADERS_TIMEOUT_MS", `must not be over HTTP_REQUEST_TIMEOUT_MS (${settings.httpRequestTimeoutMs})`);
  }
  return settings;
}
