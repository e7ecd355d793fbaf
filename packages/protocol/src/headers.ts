/** NATS message headers with a meaning in Switchyard. */
export const Headers = {
  /** NATS micro convention: the error's description. */
  serviceError: "Nats-Service-Error",
  /** NATS micro convention: the error's numeric code; Switchyard sends the HTTP status of the code. */
  serviceErrorCode: "Nats-Service-Error-Code",
  /** The stable error code name, one of ErrorCode (e.g. ALREADY_EXISTS). */
  errorReason: "Switchyard-Error-Reason",
  /** The request field at fault, as a path of proto field names from the request message (user.email). */
  errorField: "Switchyard-Error-Field",
  /** Correlates one HTTP request with the service's logs. */
  requestId: "Switchyard-Request-Id",
  /** W3C trace context, forwarded (or started) by the gateway. */
  traceparent: "traceparent",
  tracestate: "tracestate",
  /**
   * HTTP request headers with this prefix reach the service, under the same name; no other client
   * header does (an allow-list, like grpc-gateway's Grpc-Metadata-).
   */
  metadataPrefix: "Switchyard-Meta-",
  /**
   * On a copy of a request that a traffic policy's shadow sent: `candidate` (to the shadow
   * deployment) or `noise` (a second copy to the primary). Its reply is compared, never returned
   * to the client; a service may skip side effects it can tell apart.
   */
  shadow: "Switchyard-Shadow",
  /** On every reply, success or error: the deployment of the instance that answered. */
  deployment: "Switchyard-Deployment",
  /** On a success reply: the HTTP status to answer with (2xx or 3xx) instead of 200. */
  httpStatus: "Switchyard-Http-Status",
  /** On a success reply: `Switchyard-Http-Header-Location: /users/1` becomes the HTTP header `Location`. */
  httpHeaderPrefix: "Switchyard-Http-Header-",
  /**
   * On every request the gateway sends: how many milliseconds it will still wait for the reply,
   * counted from when the service receives it (a duration, like Connect-Timeout-Ms, so clocks need
   * not agree). A service stops work past it and replies DEADLINE_EXCEEDED.
   */
  timeoutMs: "Switchyard-Timeout-Ms",
  /**
   * On a request whose client presented a JWT the gateway verified: its `sub` claim. Set only by the
   * gateway; no client header can produce it (only Switchyard-Meta-* headers pass from clients).
   */
  authSubject: "Switchyard-Auth-Subject",
  /**
   * On a request the gateway sends for an HTTP request with an `Idempotency-Key`: an opaque token (64
   * hex digits) naming the operation, the same on every retry of it through any gateway and
   * different for any other client, route, key or payload. A service may use it to apply the write
   * at most once (for instance as the key it creates the record under), which closes the one window
   * the gateway cannot: a service that dies after applying a write but before its reply is stored.
   */
  idempotencyKey: "Switchyard-Idempotency-Key",
  /** With authSubject: every verified claim, as compact JSON with non-ASCII characters escaped (\uXXXX). */
  authClaims: "Switchyard-Auth-Claims",
} as const;
