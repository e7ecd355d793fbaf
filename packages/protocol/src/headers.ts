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
} as const;
