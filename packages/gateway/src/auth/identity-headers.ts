import { Match, type MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import type { JWTPayload } from "jose";

/** Who a verified token says the caller is, and what it may do. */
export interface VerifiedIdentity {
  /** The token's `sub`: 1 to 255 printable ASCII characters (as OpenID Connect bounds it). */
  readonly subject: string;
  /** Every claim of the token, verified. */
  readonly claims: Readonly<JWTPayload>;
  /** The token's scopes, from `scope` (a space-separated string) and `scp` (a list or a string). */
  readonly scopes: ReadonlySet<string>;
  /** The claims as compact JSON, printable ASCII only (\uXXXX escapes): the Switchyard-Auth-Claims value. */
  readonly claimsJson: string;
}

/** The claims as the Switchyard-Auth-Claims header carries them: compact JSON, every non-ASCII character escaped. */
export function encodeClaims(claims: Readonly<JWTPayload>): string {
  // JSON.stringify escapes control characters and lone surrogates already; DEL and everything above
  // ASCII become \uXXXX (astral characters as their two surrogates, as JSON allows).
  return JSON.stringify(claims).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The NATS headers that tell a service who called: Switchyard-Auth-Subject and Switchyard-Auth-Claims. */
export function identityHeaders(identity: VerifiedIdentity): Record<string, string> {
  return { [Headers.authSubject]: identity.subject, [Headers.authClaims]: identity.claimsJson };
}

/**
 * Sets the identity headers on a request's NATS headers, replacing any of the same name in any
 * letter case; without an identity, removes them. natsRequestHeaders lets no client header of these
 * names through (only Switchyard-Meta-*), so this is a second guard, not the only one.
 */
export function setIdentityHeaders(headers: MsgHdrs, identity: VerifiedIdentity | undefined): void {
  headers.delete(Headers.authSubject, Match.IgnoreCase);
  headers.delete(Headers.authClaims, Match.IgnoreCase);
  if (identity === undefined) return;
  for (const [name, value] of Object.entries(identityHeaders(identity))) headers.set(name, value);
}
