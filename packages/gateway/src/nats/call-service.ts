import { InvalidArgumentError, type Msg, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { ErrorCode, Headers, isErrorCode, type ErrorCodeName } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import { captureRequest } from "../idempotency/captured-request.js";
import { ConnectionState } from "./connection-state.js";
import { RequestMux } from "./request-mux.js";

/** Sends a request to a service subject and turns every NATS outcome into bytes or a GatewayError. */
export class ServiceCaller {
  readonly state: ConnectionState;
  private readonly mux: RequestMux;

  constructor(
    private readonly nc: NatsConnection,
    /** How long a request waits for its reply: the gateway's REQUEST_TIMEOUT_MS. */
    readonly timeoutMs: number,
    inboxPrefix?: string,
    onRefused?: (err: Error) => void,
  ) {
    this.mux = new RequestMux(nc, timeoutMs, inboxPrefix, onRefused);
    // A request whose reply was due when the connection dropped fails now, not at its timeout.
    this.state = new ConnectionState(nc, () => this.mux.failAll("disconnected"));
  }

  close(): void {
    this.mux.close();
  }

  get connected(): boolean {
    return this.state.connected;
  }

  /**
   * Sends one request and resolves with the service's reply, an error reply included; a request
   * that gets no reply (no responder, a timeout, NATS down) is a GatewayError. `headers` are the
   * NATS headers to send: the request id, trace context and allowed metadata.
   */
  async request(subject: string, payload: Uint8Array, headers: MsgHdrs, timeoutMs?: number, replyTo?: string): Promise<Msg> {
    if (!this.state.connected) throw new GatewayError("NATS_UNAVAILABLE", "the message bus is not reachable; retry shortly");
    try {
      // A reply JetStream must keep (Idempotency-Key) goes to its own subject, not the shared inbox.
      return replyTo === undefined
        ? await this.mux.request(subject, payload, headers, timeoutMs)
        : await captureRequest(this.nc, subject, payload, headers, timeoutMs ?? this.timeoutMs, replyTo);
    } catch (err) {
      throw fromNatsError(err, timeoutMs ?? this.timeoutMs, this.nc.info?.max_payload);
    }
  }
}

/** The error a service replied with, as the gateway answers it; undefined for a success. */
export function serviceErrorOf(reply: Msg): GatewayError | undefined {
  return reply.headers?.has(Headers.serviceErrorCode) ? fromServiceError(reply) : undefined;
}

/** The service's error code on an error reply, as fromServiceError reads it; "ok" for a success. */
export function replyOutcome(reply: Msg): string {
  const h = reply.headers;
  if (h === undefined || !h.has(Headers.serviceErrorCode)) return "ok";
  const reason = h.get(Headers.errorReason);
  return isErrorCode(reason) ? reason : (codeByStatus.get(Number(h.get(Headers.serviceErrorCode))) ?? "INTERNAL");
}

function fromNatsError(err: unknown, timeoutMs: number, maxPayload: number | undefined): GatewayError {
  if (err === "timeout") return new GatewayError("SERVICE_TIMEOUT", `the service did not reply within ${timeoutMs} ms`);
  if (err === "no-responders") return new GatewayError("NO_SERVICE", "no service instance is serving this route right now");
  // The request with its headers is over the server's max_payload: no retry will get it through.
  if (err instanceof InvalidArgumentError && err.message.includes("max_payload")) {
    return new GatewayError("PAYLOAD_TOO_LARGE", `the request is over the message bus's limit of ${maxPayload ?? "max_payload"} bytes`);
  }
  return new GatewayError("NATS_UNAVAILABLE", "the message bus is not reachable; retry shortly");
}

/** The first code of the shared table with that status: what a service that sends only a number means. */
const codeByStatus = new Map<number, ErrorCodeName>();
for (const [code, status] of Object.entries(ErrorCode) as [ErrorCodeName, number][]) {
  if (!codeByStatus.has(status)) codeByStatus.set(status, code);
}

const hiddenDetail = new Set<ErrorCodeName>(["INTERNAL", "UNKNOWN", "DATA_LOSS"]);

function fromServiceError(reply: Msg): GatewayError {
  const h = reply.headers!;
  const code = replyOutcome(reply) as ErrorCodeName;
  // A service's internal failure text may carry a stack or an address: it goes to its logs, not here.
  const detail = hiddenDetail.has(code) ? "the service failed to handle the request" : h.get(Headers.serviceError);
  const field = h.get(Headers.errorField);
  return new GatewayError(code, detail || code, field === "" ? undefined : field);
}
