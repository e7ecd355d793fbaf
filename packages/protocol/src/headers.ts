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
} as const;
