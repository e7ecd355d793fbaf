/** One RPC straight over NATS, as a client other than the gateway would send it, with its outcome read from the reply's headers. */
import { create, toBinary, type DescMessage, type DescMethod, type MessageInitShape } from "@bufbuild/protobuf";
import { headers as natsHeaders, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { Headers, methodSubject } from "@switchyard/protocol";

export interface RpcOutcome {
  /** The error code the service replied with (Switchyard-Error-Reason), or "ok" for a success. */
  readonly code?: string;
  /** Nats-Service-Error-Code: the HTTP status of the code. */
  readonly status?: string;
  /** Switchyard-Error-Field: the request field at fault. */
  readonly field?: string;
  /** No reply: "timeout", "no-responders" or the client's error. */
  readonly error?: string;
  readonly reply?: Msg;
}

/** Sends `request` to the RPC's subject and waits `timeoutMs` for the reply. */
export async function callRpc<M extends DescMethod>(
  nc: NatsConnection,
  method: M,
  request: MessageInitShape<M["input"] & DescMessage>,
  options: { timeoutMs: number; requestId?: string },
): Promise<RpcOutcome> {
  const h = natsHeaders();
  if (options.requestId !== undefined) h.set(Headers.requestId, options.requestId);
  const payload = toBinary(method.input, create(method.input, request));
  try {
    const reply = await nc.request(methodSubject(method), payload, { timeout: options.timeoutMs, headers: h });
    const rh = reply.headers;
    if (rh === undefined || !rh.has(Headers.serviceErrorCode)) return { code: "ok", reply };
    const field = rh.get(Headers.errorField);
    return {
      code: rh.get(Headers.errorReason) || "?",
      status: rh.get(Headers.serviceErrorCode),
      ...(field === "" ? {} : { field }),
      reply,
    };
  } catch (err) {
    const e = err as { code?: string; message?: string; name?: string };
    const text = `${e.name ?? ""} ${e.message ?? String(err)}`;
    return { error: /no responders/i.test(text) ? "no-responders" : /timeout/i.test(text) ? "timeout" : text.trim() };
  }
}
