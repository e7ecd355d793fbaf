import { ConfigError } from "@switchyard/protocol";
import { boolean, integer, type Env } from "../env-settings.js";


export interface IdempotencySettings {
  /** Honour Idempotency-Key (IDEMPOTENCY, default true); off, the header is ignored. */
  enabled: boolean;
  /** How long a stored answer is replayed, counted from when it was stored (IDEMPOTENCY_TTL_S, default 24 h). */
  ttlS: number;
  /**
   * How long past the request timeout a request still marked in progress may be taken over by a
   * retry (IDEMPOTENCY_TAKEOVER_MARGIN_MS, default 5 s): the time a service may overrun its
   * deadline, plus the clock difference between gateways.
   */
  takeoverMarginMs: number;
  /**
   * RPCs that refuse a request without a key (IDEMPOTENCY_REQUIRED): full RPC names
   * (`users.v1.UserService.CreateUser`) or service names (every RPC of it), comma-separated, or `*`
   * for every RPC that is not idempotent. Empty by default.
   */
  required: readonly string[];
}

export const DEFAULT_IDEMPOTENCY_TTL_S = 86_400;
const MAX_TTL_S = 30 * 86_400;
const FULL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** The Idempotency-Key settings from the environment; a bad value is a ConfigError naming its variable. */
export function idempotencyConfigFromEnv(env: Env): IdempotencySettings {
  return {
    enabled: boolean(env, "IDEMPOTENCY", true),
    ttlS: integer(env, "IDEMPOTENCY_TTL_S", DEFAULT_IDEMPOTENCY_TTL_S, 1, MAX_TTL_S),
    takeoverMarginMs: integer(env, "IDEMPOTENCY_TAKEOVER_MARGIN_MS", 5000, 0, 600_000),
    required: names(env, "IDEMPOTENCY_REQUIRED"),
  };
}

function names(env: Env, name: string): string[] {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return [];
  if (text === "*") return ["*"];
  const list = text.split(",").map((s) => s.trim());
  for (const item of list) {
    if (!FULL_NAME.test(item)) {
      throw new ConfigError(name, `"${item}" is not a full RPC or service name (users.v1.UserService.CreateUser), and * stands alone`);
    }
  }
  return list;
}
