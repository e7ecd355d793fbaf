import { readFile } from "node:fs/promises";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwksCache,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWTVerifyGetKey,
  type LocalJWKSet,
} from "jose";
import { readKeySetFile, type KeySetLocation, type KeySetTimings } from "./auth-config.js";

/** The keys could not be fetched or read, so no token can be checked: a 503, to retry later. */
export class KeySetUnavailable extends Error {
  override readonly name = "KeySetUnavailable";

  constructor(
    readonly retryAfterS: number,
    options?: ErrorOptions,
  ) {
    super("the key set is unavailable", options);
  }

  static is(err: unknown): err is KeySetUnavailable {
    return err instanceof Error && err.name === "KeySetUnavailable";
  }
}

/** Told of every failed fetch or read of the key set, for the log; the error never holds key material. */
export type KeySetErrorListener = (err: unknown) => void;

/** The getKey function jwtVerify asks for the key of a token, from a URL or a file. */
export function keySet(location: KeySetLocation, timings: KeySetTimings, onError: KeySetErrorListener): JWTVerifyGetKey {
  return "url" in location ? remoteKeySet(location.url, timings, onError) : fileKeySet(location.file, timings, onError);
}

/** A lookup that failed because of the token (its kid), not because of the key set. */
function isTokenLookupError(err: unknown): boolean {
  return err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys;
}

/**
 * jose's remote JWKS (cached for maxAgeMs; an unknown kid fetches again at most once per cooldownMs,
 * which is how rotated-in keys are found), plus what jose leaves to the caller when a fetch fails:
 * the last keys fetched stay in use for staleMs past their age, a kid they lack is a 503 rather than
 * a 401 (the key may be new), and for retryMs after a failure no request waits on another fetch.
 */
function remoteKeySet(url: URL, timings: KeySetTimings, onError: KeySetErrorListener): JWTVerifyGetKey {
  const cache: JWKSCacheInput = {};
  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: timings.maxAgeMs,
    cooldownDuration: timings.cooldownMs,
    timeoutDuration: timings.timeoutMs,
    [jwksCache]: cache,
  });
  let failedAt = -Infinity;
  let stale: { uat: number; keys: LocalJWKSet } | undefined;

  const unavailable = (cause: unknown): KeySetUnavailable =>
    new KeySetUnavailable(Math.max(1, Math.ceil((failedAt + timings.retryMs - Date.now()) / 1000)), { cause });

  const fromLastKeys: JWTVerifyGetKey = async (header, token) => {
    const { uat, jwks } = cache as { uat?: number; jwks?: JSONWebKeySet };
    if (uat === undefined || jwks === undefined || Date.now() > uat + timings.maxAgeMs + timings.staleMs) {
      throw unavailable(undefined);
    }
    if (stale?.uat !== uat) stale = { uat, keys: createLocalJWKSet(jwks) };
    try {
      return await stale.keys(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) throw unavailable(err);
      throw err;
    }
  };

  return async (header, token) => {
    if (Date.now() - failedAt < timings.retryMs) return fromLastKeys(header, token);
    try {
      return await remote(header, token);
    } catch (err) {
      if (isTokenLookupError(err)) throw err;
      failedAt = Date.now();
      onError(err);
      return fromLastKeys(header, token);
    }
  };
}

/**
 * A JWKS file, read at start-up and treated like the URL: read again when older than maxAgeMs, and
 * on an unknown kid at most once per cooldownMs, so a rotated file (a Kubernetes Secret update, a
 * rename into place) takes effect without a restart. A read that fails keeps the keys in use.
 */
function fileKeySet(path: string, timings: KeySetTimings, onError: KeySetErrorListener): JWTVerifyGetKey {
  let text = readKeySetFile("AUTH_JWKS_FILE", path);
  let keys = createLocalJWKSet(JSON.parse(text));
  let readAt = Date.now();
  let pending: Promise<void> | undefined;

  const reread = (): Promise<void> =>
    (pending ??= (async () => {
      try {
        const next = await readFile(path, "utf8");
        if (next !== text) {
          keys = createLocalJWKSet(JSON.parse(next));
          text = next;
        }
      } catch (err) {
        onError(err);
      } finally {
        readAt = Date.now();
        pending = undefined;
      }
    })());

  return async (header, token) => {
    if (Date.now() - readAt > timings.maxAgeMs) await reread();
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || Date.now() - readAt < timings.cooldownMs) throw err;
      await reread();
      return keys(header, token);
    }
  };
}
