import { GatewayError } from "../errors.js";

/**
 * The gateway's auth errors with their RFC 6750 §3 challenges. Descriptions are fixed texts the
 * gateway writes (never the token, never a claim's value), so they are safe in a quoted-string.
 */
export class BearerChallenge {
  constructor(private readonly realm: string) {}

  /** No token where one is needed: a challenge with no error code (RFC 6750 §3.1). */
  required(detail: string): GatewayError {
    return new GatewayError("AUTH_REQUIRED", detail, undefined, { "WWW-Authenticate": `Bearer realm="${this.realm}"` });
  }

  /** A token that is malformed, expired, or fails a check. */
  invalid(detail: string): GatewayError {
    return new GatewayError("INVALID_TOKEN", `the bearer token is invalid: ${detail}`, undefined, {
      "WWW-Authenticate": `Bearer realm="${this.realm}", error="invalid_token", error_description="${quotable(detail)}"`,
    });
  }

  /** A valid token without the scopes the route needs. */
  insufficientScope(needed: readonly string[], missing: readonly string[]): GatewayError {
    const detail = `the token lacks the scope${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`;
    return new GatewayError("INSUFFICIENT_SCOPE", detail, undefined, {
      "WWW-Authenticate": `Bearer realm="${this.realm}", error="insufficient_scope", error_description="${quotable(detail)}", scope="${needed.join(" ")}"`,
    });
  }
}

/** The keys to check tokens with cannot be had right now: 503 with Retry-After. */
export function keysUnavailable(retryAfterS: number): GatewayError {
  return new GatewayError("AUTH_UNAVAILABLE", "the keys to verify bearer tokens are unavailable; retry later", undefined, {
    "Retry-After": String(retryAfterS),
  });
}

// RFC 6750 error_description: %x20-21 / %x23-5B / %x5D-7E.
function quotable(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "");
}
