import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from "jose";
import type { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import type { AuthSettings } from "./auth-config.js";
import { BearerChallenge, keysUnavailable } from "./challenge.js";
import { encodeClaims, type VerifiedIdentity } from "./identity-headers.js";
import { keySet, KeySetUnavailable, type KeySetErrorListener } from "./key-sets.js";
import { policyOf, type RoutePolicy } from "./route-policy.js";

// RFC 6750 §2.1: "Bearer" 1*SP b64token. Longer tokens than this are not JWTs anyone issues.
const BEARER = /^Bearer +([\w\-.~+/]+=*) *$/i;
const MAX_TOKEN_LENGTH = 16_384;
// OpenID Connect Core §2: sub is at most 255 ASCII characters; printable, so it fits a header.
const SUBJECT = /^[\x20-\x7e]{1,255}$/;

export interface AuthenticatorOptions {
  /** Told of every failed fetch or read of the key set (the gateway logs it). */
  onKeySetError?: KeySetErrorListener;
}

/**
 * Verifies JWT bearer tokens against a JWKS (jose): signature with an allowed algorithm, issuer,
 * audience, expiry and not-before with the clock tolerance, a `sub`, then the route's scopes.
 * Errors are GatewayErrors carrying their WWW-Authenticate (401, 403) or Retry-After (503) header.
 */
export class Authenticator {
  private readonly getKey: JWTVerifyGetKey;
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly challenge: BearerChallenge;
  private readonly policies = new WeakMap<Route, RoutePolicy>();

  constructor(
    readonly settings: AuthSettings,
    options: AuthenticatorOptions = {},
  ) {
    this.getKey = keySet(settings.keys, settings.timings, options.onKeySetError ?? (() => {}));
    this.verifyOptions = {
      issuer: [...settings.issuers],
      audience: [...settings.audiences],
      algorithms: [...settings.algorithms],
      clockTolerance: settings.clockToleranceS,
      requiredClaims: ["exp", "sub"],
    };
    this.challenge = new BearerChallenge(settings.realm);
  }

  /** What the route asks of a token (computed once per route). */
  policy(route: Route): RoutePolicy {
    let policy = this.policies.get(route);
    if (policy === undefined) {
      policy = policyOf(this.settings, route);
      this.policies.set(route, policy);
    }
    return policy;
  }

  /**
   * The verified identity of a request to a route, or undefined when it sent no bearer token and the
   * route needs none. A token sent is always verified: a bad one is refused even where none is needed.
   */
  async authenticate(authorization: string | undefined, route: Route): Promise<VerifiedIdentity | undefined> {
    const policy = this.policy(route);
    const token = this.bearerToken(authorization, policy);
    if (token === undefined) return undefined;
    const identity = await this.verify(token);
    const missing = policy.scopes.filter((scope) => !identity.scopes.has(scope));
    if (missing.length > 0) throw this.challenge.insufficientScope(policy.scopes, missing);
    return identity;
  }

  private bearerToken(authorization: string | undefined, policy: RoutePolicy): string | undefined {
    const header = authorization?.trim() ?? "";
    if (!/^Bearer(\s|$)/i.test(header)) {
      // No credentials, or another scheme's (Basic ...): anonymous, if the route allows it.
      if (!policy.required) return undefined;
      throw this.challenge.required(header === "" ? "this route needs a bearer token (Authorization: Bearer <token>)" : "this route needs a bearer token; the Authorization header has another scheme");
    }
    const match = BEARER.exec(header);
    if (match === null || match[1]!.length > MAX_TOKEN_LENGTH) throw this.challenge.invalid("the Authorization header does not hold a well-formed bearer token");
    return match[1]!;
  }

  private async verify(token: string): Promise<VerifiedIdentity> {
    let claims: JWTPayload;
    try {
      claims = await this.verifyWithSomeKey(token);
    } catch (err) {
      throw this.failure(err);
    }
    const subject = claims.sub;
    if (typeof subject !== "string" || !SUBJECT.test(subject)) throw this.challenge.invalid("the sub claim must be 1 to 255 printable ASCII characters");
    const claimsJson = encodeClaims(claims);
    if (claimsJson.length > this.settings.claimsMaxBytes) {
      throw this.challenge.invalid(`its claims take ${claimsJson.length} bytes as JSON, over the gateway's limit of ${this.settings.claimsMaxBytes}`);
    }
    return { subject, claims, scopes: scopesOf(claims), claimsJson };
  }

  /** jwtVerify; when several keys of the set match the token (no kid, or a shared one), each is tried. */
  private async verifyWithSomeKey(token: string): Promise<JWTPayload> {
    try {
      return (await jwtVerify(token, this.getKey, this.verifyOptions)).payload;
    } catch (err) {
      if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
      for await (const key of err) {
        try {
          return (await jwtVerify(token, key, this.verifyOptions)).payload;
        } catch (next) {
          if (!(next instanceof errors.JWSSignatureVerificationFailed)) throw next;
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  }

  /** A failed verification in the client's terms: what failed, never the token or a claim's value. */
  private failure(err: unknown): GatewayError {
    if (KeySetUnavailable.is(err)) return keysUnavailable(err.retryAfterS);
    const invalid = (detail: string) => this.challenge.invalid(detail);
    if (err instanceof errors.JWTExpired) return invalid(err.claim === "exp" ? "it has expired" : `its ${err.claim} claim is too old`);
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.reason === "missing") return invalid(`it has no ${err.claim} claim`);
      switch (err.claim) {
        case "iss":
          return invalid("its issuer (iss) is not one this gateway accepts");
        case "aud":
          return invalid("its audience (aud) is not one this gateway accepts");
        case "nbf":
          return invalid("it is not valid yet (nbf)");
        default:
          return invalid(`its ${err.claim} claim is invalid`);
      }
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) return invalid("its signature does not verify");
    if (err instanceof errors.JOSEAlgNotAllowed) return invalid(`its algorithm (alg) is not allowed; allowed: ${this.settings.algorithms.join(", ")}`);
    if (err instanceof errors.JWKSNoMatchingKey) return invalid("no key of the key set matches it (kid and alg)");
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return invalid("it is not a well-formed signed JWT");
    if (err instanceof errors.JOSENotSupported) return invalid("it uses a JOSE feature this gateway does not support");
    // A key set that parsed but holds a broken or private key: nothing to do with the token.
    if (err instanceof errors.JWKSInvalid || err instanceof errors.JWKInvalid) return keysUnavailable(1);
    throw err;
  }
}

function scopesOf(claims: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const value of [claims["scope"], claims["scp"]]) {
    const items = typeof value === "string" ? value.split(" ") : Array.isArray(value) ? value : [];
    for (const item of items) if (typeof item === "string" && item !== "") scopes.add(item);
  }
  return scopes;
}
