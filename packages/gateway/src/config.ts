import { ConfigError, natsOptionsFromEnv } from "@switchyard/protocol";
import type { NodeConnectionOptions } from "@nats-io/transport-node";

type Env = Readonly<Record<string, string | undefined>>;

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
  /** Serve /healthz, /readyz and /_/* on this port instead of PORT. */
  adminPort: number | undefined;
  /** How often the gateway asks the NATS services API which instances serve what. */
  discoveryIntervalMs: number;
  /** /readyz needs a live instance behind every route (true) or only a NATS connection. */
  readyNeedsInstances: boolean;
  /** Serve the contracts that live services carry, besides the gateway's own. */
  acceptServiceContracts: boolean;
  /** An unknown JSON field or query parameter: a 400 naming it (reject) or dropped (ignore). */
  unknownFields: "reject" | "ignore";
  nats: NodeConnectionOptions;
}

/** Reads the environment once at start-up; a bad value is a ConfigError naming the variable. */
export async function loadConfig(env: Env): Promise<GatewayConfig> {
  return {
    port: integer(env, "PORT", 3000, 0, 65535),
    host: env["HOST"] ?? "0.0.0.0",
    requestTimeoutMs: integer(env, "REQUEST_TIMEOUT_MS", 5000, 1, 300_000),
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", 1_048_576, 1, 100 * 1_048_576),
    logLevel: oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    accessLog: boolean(env, "ACCESS_LOG", false),
    metrics: boolean(env, "METRICS", true),
    adminPort: env["ADMIN_PORT"] ? integer(env, "ADMIN_PORT", 0, 1, 65535) : undefined,
    discoveryIntervalMs: integer(env, "DISCOVERY_INTERVAL_MS", 5000, 100, 600_000),
    readyNeedsInstances: boolean(env, "READY_NEEDS_INSTANCES", true),
    acceptServiceContracts: boolean(env, "ACCEPT_SERVICE_CONTRACTS", false),
    unknownFields: oneOf(env, "UNKNOWN_FIELDS", ["reject", "ignore"] as const, "reject"),
    nats: await natsOptionsFromEnv(env, "switchyard-gateway"),
  };
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new ConfigError(name, `"${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ConfigError(name, `"${text}" is not one of ${allowed.join(", ")}`);
  }
  return text as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (["true", "1", "yes"].includes(text)) return true;
  if (["false", "0", "no"].includes(text)) return false;
  throw new ConfigError(name, `"${text}" is not true or false`);
}
