import { readFileSync } from "node:fs";
import { ConfigError } from "@switchyard/protocol";
import { createLocalJWKSet } from "jose";
import { integer, list, type Env } from "../env-settings.js";


/** Where the public keys come from: a JWKS URL (an identity provider's jwks_uri) or a local file. */
export type KeySetLocation = { readonly url: URL } | { readonly file: string };

/** How long key sets are kept and how often they may be fetched or read again. */
export interface KeySetTimings {
  /** Keys older than this are fetched (or read) again before use. */
  readonly maxAgeMs: number;
  /** An unknown key id triggers a new fetch at most once per cooldown. */
  readonly cooldownMs: number;
  /** A fetch of the JWKS URL that takes longer fails. */
  readonly timeoutMs: number;
  /** When a fetch fails, the last keys fetched stay in use this long past their maximum age. */
  readonly staleMs: number;
  /** After a failed fetch, requests answer at once (from the last keys or 503) for this long. */
  readonly retryMs: number;
}

/** Which routes need a token: every one, none (a token is verified when sent), or the listed RPCs and services. */
export type AuthRequirement = "all" | "none" | readonly string[];

/** HTTP authentication settings: JWT bearer tokens verified against a JWKS. */
export interface AuthSettings {
  readonly keys: KeySetLocation;
  readonly timings: KeySetTimings;
  /** A token's `iss` must be one of these. */
  readonly issuers: readonly string[];
  /** A token's `aud` must contain one of these. */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceS: number;
  readonly require: AuthRequirement;
  /** RPC or service full name to the scopes a token needs for it (all of them). */
  readonly scopes: ReadonlyMap<string, readonly string[]>;
  /** The realm of the WWW-Authenticate challenge. */
  readonly realm: string;
  /** The verified claims, as the Switchyard-Auth-Claims header carries them, may not be longer. */
  readonly claimsMaxBytes: number;
}

/** Asymmetric JWS algorithms: a JWKS of public keys can verify these and only these. */
export const PUBLIC_KEY_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;
const DEFAULT_ALGORITHMS = ["RS256", "ES256", "EdDSA"];

// protobuf full names: a package and a service, optionally a method (users.v1.UserService.CreateUser).
const FULL_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/;
// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// RFC 7235 token68-safe characters for the realm, which goes into a quoted-string.
const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

/** Every variable authConfigFromEnv reads. */
export const AUTH_VARIABLES = [
  "AUTH_JWKS_URL",
  "AUTH_JWKS_FILE",
  "AUTH_ISSUER",
  "AUTH_AUDIENCE",
  "AUTH_ALGORITHMS",
  "AUTH_CLOCK_TOLERANCE_S",
  "AUTH_REQUIRE",
  "AUTH_SCOPES",
  "AUTH_REALM",
  "AUTH_CLAIMS_MAX_BYTES",
  "AUTH_JWKS_MAX_AGE_MS",
  "AUTH_JWKS_COOLDOWN_MS",
  "AUTH_JWKS_TIMEOUT_MS",
  "AUTH_JWKS_STALE_MS",
] as const;

/**
 * Reads the AUTH_* variables. Auth is off (undefined) when none is set; once any is, a key set, an
 * issuer and an audience are required, so no token is ever accepted without those checks. An
 * unknown AUTH_* variable is refused too: a misspelt one must not leave routes open.
 * A bad value is a ConfigError naming the variable.
 */
export function authConfigFromEnv(env: Env): AuthSettings | undefined {
  const set = Object.keys(env).filter((name) => name.startsWith("AUTH_") && (env[name] ?? "").trim() !== "");
  if (set.length === 0) return undefined;
  const unknown = set.find((name) => !(AUTH_VARIABLES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new ConfigError(unknown, `is not an auth setting (${AUTH_VARIABLES.join(", ")})`);
  return {
    keys: keySetLocation(env),
    timings: {
      maxAgeMs: integer(env, "AUTH_JWKS_MAX_AGE_MS", 600_000, 1_000, 86_400_000),
      cooldownMs: integer(env, "AUTH_JWKS_COOLDOWN_MS", 30_000, 0, 3_600_000),
      timeoutMs: integer(env, "AUTH_JWKS_TIMEOUT_MS", 5_000, 100, 60_000),
      staleMs: integer(env, "AUTH_JWKS_STALE_MS", 3_600_000, 0, 86_400_000),
      retryMs: 2_000,
    },
    issuers: required(env, "AUTH_ISSUER"),
    audiences: required(env, "AUTH_AUDIENCE"),
    algorithms: algorithms(env),
    clockToleranceS: integer(env, "AUTH_CLOCK_TOLERANCE_S", 5, 0, 300),
    require: requirement(env),
    scopes: scopes(env),
    realm: realm(env),
    claimsMaxBytes: integer(env, "AUTH_CLAIMS_MAX_BYTES", 4096, 256, 65_536),
  };
}

function keySetLocation(env: Env): KeySetLocation {
  const url = env["AUTH_JWKS_URL"]?.trim() ?? "";
  const file = env["AUTH_JWKS_FILE"]?.trim() ?? "";
  if (url !== "" && file !== "") throw new ConfigError("AUTH_JWKS_FILE", "set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both");
  if (url !== "") return { url: jwksUrl(url) };
  if (file !== "") {
    readKeySetFile("AUTH_JWKS_FILE", file);
    return { file };
  }
  throw new ConfigError("AUTH_JWKS_URL", "HTTP auth is configured (an AUTH_* variable is set) but has no keys: set AUTH_JWKS_URL or AUTH_JWKS_FILE");
}

function jwksUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError("AUTH_JWKS_URL", "is not a URL");
  }
  // Keys fetched over plain HTTP can be replaced by anyone on the path: only loopback may use it.
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError("AUTH_JWKS_URL", "must be an https:// URL (http:// only for a loopback address)");
  }
  if (url.username !== "" || url.password !== "") throw new ConfigError("AUTH_JWKS_URL", "must not carry credentials");
  return url;
}

/** Reads and checks a JWKS file; the error names the variable, never the file's content. */
export function readKeySetFile(variable: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    createLocalJWKSet(JSON.parse(text));
  } catch {
    throw new ConfigError(variable, `${path} is not a JSON Web Key Set ({"keys": [...]})`);
  }
  return text;
}

/** A comma list with one value at least: no token is accepted without the check it configures. */
function required(env: Env, name: string): string[] {
  const values = list(env, name);
  if (values.length === 0) throw new ConfigError(name, "is required once HTTP auth is configured (a comma list)");
  return values;
}

function algorithms(env: Env): string[] {
  const text = env["AUTH_ALGORITHMS"]?.trim() ?? "";
  if (text === "") return DEFAULT_ALGORITHMS;
  const values = text.split(",").map((v) => v.trim()).filter((v) => v !== "");
  for (const alg of values) {
    if (alg.toLowerCase() === "none") throw new ConfigError("AUTH_ALGORITHMS", `"${alg}" would accept unsigned tokens`);
    if (/^HS\d+$/i.test(alg)) {
      throw new ConfigError("AUTH_ALGORITHMS", `"${alg}" is a shared-secret algorithm: a JWKS of public keys cannot verify it`);
    }
    if (!(PUBLIC_KEY_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError("AUTH_ALGORITHMS", `"${alg}" is not one of ${PUBLIC_KEY_ALGORITHMS.join(", ")}`);
    }
  }
  if (values.length === 0) throw new ConfigError("AUTH_ALGORITHMS", "names no algorithm");
  return [...new Set(values)];
}

function requirement(env: Env): AuthRequirement {
  const text = env["AUTH_REQUIRE"]?.trim() ?? "";
  if (text === "" || text === "all") return "all";
  if (text === "none") return "none";
  const names = text.split(",").map((v) => v.trim()).filter((v) => v !== "");
  for (const name of names) fullName("AUTH_REQUIRE", name);
  return names;
}

function scopes(env: Env): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const entry of (env["AUTH_SCOPES"] ?? "").split(";")) {
    if (entry.trim() === "") continue;
    const eq = entry.indexOf("=");
    if (eq < 0) throw new ConfigError("AUTH_SCOPES", `"${entry.trim()}" is not NAME=SCOPE [SCOPE...]`);
    const name = fullName("AUTH_SCOPES", entry.slice(0, eq).trim());
    const needed = entry.slice(eq + 1).split(" ").filter((s) => s !== "");
    if (needed.length === 0) throw new ConfigError("AUTH_SCOPES", `${name} lists no scope`);
    for (const scope of needed) {
      if (!SCOPE_TOKEN.test(scope)) throw new ConfigError("AUTH_SCOPES", `"${scope}" is not a valid OAuth scope`);
    }
    if (map.has(name)) throw new ConfigError("AUTH_SCOPES", `${name} is listed twice`);
    map.set(name, [...new Set(needed)]);
  }
  return map;
}

function fullName(variable: string, name: string): string {
  if (!FULL_NAME.test(name)) {
    throw new ConfigError(variable, `"${name}" is not a service or RPC full name (users.v1.UserService or users.v1.UserService.CreateUser)`);
  }
  return name;
}

function realm(env: Env): string {
  const text = env["AUTH_REALM"]?.trim() ?? "";
  if (text === "") return "switchyard";
  if (!REALM.test(text)) throw new ConfigError("AUTH_REALM", "must be 1 to 100 printable ASCII characters without \" or \\");
  return text;
}

