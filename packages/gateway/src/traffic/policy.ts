import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { DEPLOYMENT_NAME } from "@switchyard/protocol";

/**
 * How one contract service's traffic moves between its deployments, as an operator writes it.
 * Evaluated per request: the first matching rule, else the weights (by the sticky key's hash when
 * the request has one, else at random), and a sampled copy to the shadow. An RPC may override any
 * of the four; `null` there turns it off for that RPC.
 */
export interface TrafficPolicy {
  rules?: Rule[];
  sticky?: Sticky;
  weights?: Weights;
  shadow?: Shadow;
  rpcs?: Record<string, RpcPolicy>;
}

export interface RpcPolicy {
  rules?: Rule[] | null;
  sticky?: Sticky | null;
  weights?: Weights | null;
  shadow?: Shadow | null;
}

/** A request header (names know no case) matched one way, and the deployment it sends to. */
export interface Rule {
  header: string;
  equals?: string;
  in?: string[];
  prefix?: string;
  present?: boolean;
  deployment: string;
}

/** What keeps one customer on one deployment while the weights stay: a header, or a field bound by the path. */
export type Sticky = { header: string } | { field: string };

/** Deployment → integer weight; shares are the weights over their sum. */
export type Weights = Record<string, number>;

export interface Shadow {
  /** The candidate: it gets a copy of sampled requests, and its replies are compared, never returned. */
  deployment: string;
  /** The share of requests copied, from 0 (exclusive) to 1 (default). */
  fraction?: number;
  /** The share of copied requests also sent a second time to the primary, to learn noisy fields (default 0.1). */
  noiseFraction?: number;
  /** Reply field paths (proto names, `user.id`) never compared; a path covers the fields under it. */
  ignore?: string[];
  /** Per RPC only: shadow an RPC that may have side effects, so every copied write happens twice. */
  writes?: boolean;
}

/** A policy that cannot be applied, with the path of the part at fault (`weights.users-rb`). */
export class PolicyError extends Error {
  override readonly name = "PolicyError";

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }

  static is(err: unknown): err is PolicyError {
    return err instanceof Error && err.name === "PolicyError";
  }
}

export const MAX_WEIGHT = 1_000_000;
const HEADER_NAME = /^[!#$%&'*+.^`|~\w-]+$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const MAX_RULES = 64;
const MAX_TEXT = 1024;

/**
 * Checks a policy for `service` as a whole and returns it normalized (header names in lower case);
 * the first fault found is a PolicyError naming its path. Nothing is applied unless all of it holds.
 */
export function parsePolicy(value: unknown, service: DescService, sideEffectFree: (rpc: DescMethod) => boolean): TrafficPolicy {
  const policy = object(value, "policy", ["rules", "sticky", "weights", "shadow", "rpcs"]);
  const out: TrafficPolicy = {};
  if (policy["rules"] !== undefined) out.rules = rules(policy["rules"], "rules");
  if (policy["sticky"] !== undefined) out.sticky = sticky(policy["sticky"], "sticky");
  if (policy["weights"] !== undefined) out.weights = weights(policy["weights"], "weights");
  if (policy["shadow"] !== undefined) {
    out.shadow = shadow(policy["shadow"], "shadow");
    if (out.shadow.writes !== undefined) {
      throw new PolicyError("shadow.writes", "is set per RPC only (rpcs.<Rpc>.shadow.writes): it sends every copied write twice");
    }
  }
  if (out.sticky !== undefined && out.weights === undefined) {
    throw new PolicyError("sticky", "needs weights to pick from");
  }
  if (policy["rpcs"] !== undefined) {
    const rpcs = object(policy["rpcs"], "rpcs");
    out.rpcs = {};
    for (const [name, entry] of Object.entries(rpcs)) {
      const path = `rpcs.${name}`;
      const method = service.methods.find((m) => m.name === name);
      if (method === undefined) {
        throw new PolicyError(path, `${service.typeName} has no RPC ${name} (it has ${service.methods.map((m) => m.name).join(", ")})`);
      }
      const rpc = object(entry, path, ["rules", "sticky", "weights", "shadow"]);
      const parsed: RpcPolicy = {};
      if (rpc["rules"] !== undefined) parsed.rules = rpc["rules"] === null ? null : rules(rpc["rules"], `${path}.rules`);
      if (rpc["sticky"] !== undefined) parsed.sticky = rpc["sticky"] === null ? null : sticky(rpc["sticky"], `${path}.sticky`);
      if (rpc["weights"] !== undefined) parsed.weights = rpc["weights"] === null ? null : weights(rpc["weights"], `${path}.weights`);
      if (rpc["shadow"] !== undefined) parsed.shadow = rpc["shadow"] === null ? null : shadow(rpc["shadow"], `${path}.shadow`);
      if (parsed.shadow && !parsed.shadow.writes && !sideEffectFree(method)) {
        throw new PolicyError(
          `${path}.shadow`,
          `${name} may have side effects (not NO_SIDE_EFFECTS, not only GET routes): set "writes": true to shadow it anyway, and every copied request runs twice`,
        );
      }
      const effectiveSticky = parsed.sticky !== undefined ? parsed.sticky : out.sticky;
      const effectiveWeights = parsed.weights !== undefined ? parsed.weights : out.weights;
      if (effectiveSticky != null && effectiveWeights == null) throw new PolicyError(`${path}.sticky`, "needs weights to pick from");
      out.rpcs[name] = parsed;
    }
  }
  return out;
}

/** The deployments a policy names, for warnings about those with no live instance. */
export function deploymentsNamed(policy: TrafficPolicy): string[] {
  const names = new Set<string>();
  const add = (p: RpcPolicy | TrafficPolicy) => {
    for (const rule of p.rules ?? []) names.add(rule.deployment);
    for (const name of Object.keys(p.weights ?? {})) names.add(name);
    if (p.shadow) names.add(p.shadow.deployment);
  };
  add(policy);
  for (const rpc of Object.values(policy.rpcs ?? {})) add(rpc);
  return [...names];
}

function rules(value: unknown, path: string): Rule[] {
  if (!Array.isArray(value)) throw new PolicyError(path, "must be a list of rules");
  if (value.length > MAX_RULES) throw new PolicyError(path, `may hold at most ${MAX_RULES} rules`);
  return value.map((entry, i) => {
    const at = `${path}[${i}]`;
    const rule = object(entry, at, ["header", "equals", "in", "prefix", "present", "deployment"]);
    const out: Rule = { header: headerName(rule["header"], `${at}.header`), deployment: deployment(rule["deployment"], `${at}.deployment`) };
    const matchers = (["equals", "in", "prefix", "present"] as const).filter((k) => rule[k] !== undefined);
    if (matchers.length !== 1) throw new PolicyError(at, "needs exactly one of equals, in, prefix or present");
    if (rule["equals"] !== undefined) out.equals = text(rule["equals"], `${at}.equals`);
    if (rule["prefix"] !== undefined) out.prefix = text(rule["prefix"], `${at}.prefix`);
    if (rule["present"] !== undefined) {
      if (rule["present"] !== true) throw new PolicyError(`${at}.present`, "must be true");
      out.present = true;
    }
    if (rule["in"] !== undefined) {
      const list = rule["in"];
      if (!Array.isArray(list) || list.length === 0) throw new PolicyError(`${at}.in`, "must be a non-empty list of strings");
      out.in = list.map((v, j) => text(v, `${at}.in[${j}]`));
    }
    return out;
  });
}

function sticky(value: unknown, path: string): Sticky {
  const entry = object(value, path, ["header", "field"]);
  if ((entry["header"] === undefined) === (entry["field"] === undefined)) {
    throw new PolicyError(path, "needs exactly one of header or field");
  }
  if (entry["header"] !== undefined) return { header: headerName(entry["header"], `${path}.header`) };
  const field = entry["field"];
  if (typeof field !== "string" || !FIELD_PATH.test(field)) {
    throw new PolicyError(`${path}.field`, "must be a request field path of proto names, e.g. id or user.id");
  }
  return { field };
}

function weights(value: unknown, path: string): Weights {
  const entries = Object.entries(object(value, path));
  if (entries.length === 0) throw new PolicyError(path, "must name at least one deployment");
  const out: Weights = {};
  let total = 0;
  for (const [name, weight] of entries) {
    deployment(name, `${path}.${name}`);
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      throw new PolicyError(`${path}.${name}`, `must be a whole number from 0 to ${MAX_WEIGHT}`);
    }
    out[name] = weight;
    total += weight;
  }
  if (total === 0) throw new PolicyError(path, "at least one weight must be above 0");
  return out;
}

function shadow(value: unknown, path: string): Shadow {
  const entry = object(value, path, ["deployment", "fraction", "noiseFraction", "ignore", "writes"]);
  const out: Shadow = { deployment: deployment(entry["deployment"], `${path}.deployment`) };
  if (entry["fraction"] !== undefined) {
    const f = entry["fraction"];
    if (typeof f !== "number" || !(f > 0 && f <= 1)) throw new PolicyError(`${path}.fraction`, "must be a number above 0 and at most 1");
    out.fraction = f;
  }
  if (entry["noiseFraction"] !== undefined) {
    const f = entry["noiseFraction"];
    if (typeof f !== "number" || !(f >= 0 && f <= 1)) throw new PolicyError(`${path}.noiseFraction`, "must be a number from 0 to 1");
    out.noiseFraction = f;
  }
  if (entry["ignore"] !== undefined) {
    const list = entry["ignore"];
    if (!Array.isArray(list)) throw new PolicyError(`${path}.ignore`, "must be a list of reply field paths");
    out.ignore = list.map((p, i) => {
      if (typeof p !== "string" || !FIELD_PATH.test(p)) {
        throw new PolicyError(`${path}.ignore[${i}]`, "must be a reply field path of proto names, e.g. user.id");
      }
      return p;
    });
  }
  if (entry["writes"] !== undefined) {
    if (typeof entry["writes"] !== "boolean") throw new PolicyError(`${path}.writes`, "must be true or false");
    out.writes = entry["writes"];
  }
  return out;
}

function object(value: unknown, path: string, allowed?: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new PolicyError(path, "must be a JSON object");
  const record = value as Record<string, unknown>;
  if (allowed !== undefined) {
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) throw new PolicyError(path === "policy" ? key : `${path}.${key}`, `is not a policy field (expected ${allowed.join(", ")})`);
    }
  }
  return record;
}

function deployment(value: unknown, path: string): string {
  if (typeof value !== "string" || !DEPLOYMENT_NAME.test(value)) {
    throw new PolicyError(path, "must be a deployment name: 1 to 64 letters, digits, '-' or '_', starting with a letter or digit");
  }
  return value;
}

function headerName(value: unknown, path: string): string {
  if (typeof value !== "string" || !HEADER_NAME.test(value)) throw new PolicyError(path, "must be an HTTP header name");
  return value.toLowerCase();
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length > MAX_TEXT) throw new PolicyError(path, `must be a string of at most ${MAX_TEXT} characters`);
  return value;
}
