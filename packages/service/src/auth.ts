import type { MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

/**
 * The caller the gateway authenticated: the `sub` claim of the JWT it verified, and every claim of
 * it. Only the gateway sets the headers this comes from (it strips any a client sends, and lets no
 * client header through but Switchyard-Meta-*); NATS permissions keep other publishers off a
 * service's subjects.
 */
export interface Auth {
  readonly subject: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The verified identity a request carries: Switchyard-Auth-Subject and Switchyard-Auth-Claims (a
 * JSON object), both present. Anything else is no identity: neither header (no token was
 * presented), or a malformed pair, which `malformed` hears about, with the reason (never the value).
 */
export function authOf(headers: MsgHdrs | undefined, malformed: (reason: string) => void): Auth | undefined {
  if (headers === undefined) return undefined;
  const hasSubject = headers.has(Headers.authSubject);
  const hasClaims = headers.has(Headers.authClaims);
  if (!hasSubject && !hasClaims) return undefined;
  if (!hasSubject || !hasClaims) {
    malformed(`${hasSubject ? Headers.authClaims : Headers.authSubject} is missing`);
    return undefined;
  }
  let claims: unknown;
  try {
    claims = JSON.parse(headers.get(Headers.authClaims));
  } catch {
    malformed(`${Headers.authClaims} is not JSON`);
    return undefined;
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    malformed(`${Headers.authClaims} is not a JSON object`);
    return undefined;
  }
  return Object.freeze({ subject: headers.get(Headers.authSubject), claims: Object.freeze(claims as Record<string, unknown>) });
}

/** Tells a logger about the first malformed identity only: it is the gateway's fault, not the request's. */
export function onceOnly(log: (reason: string) => void): (reason: string) => void {
  let told = false;
  return (reason) => {
    if (told) return;
    told = true;
    log(reason);
  };
}
