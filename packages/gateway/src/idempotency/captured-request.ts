import type { StoredMsg } from "@nats-io/jetstream";
import type { Msg, MsgHdrs, NatsConnection } from "@nats-io/transport-node";

/**
 * Sends one request whose reply goes to `replyTo`, a subject of the idempotency bucket, so
 * JetStream keeps the reply whatever becomes of this process. Settles as RequestMux.request does
 * (a drop-in for it in ServiceCaller.request): the reply, an error reply included, or a rejection
 * with "timeout", "no-responders" or the publish error, which ServiceCaller turns into the same
 * GatewayErrors. A subscription per request: only requests with an Idempotency-Key pay for it.
 */
export function captureRequest(
  nc: NatsConnection,
  subject: string,
  data: Uint8Array,
  headers: MsgHdrs,
  timeoutMs: number,
  replyTo: string,
): Promise<Msg> {
  return new Promise<Msg>((resolve, reject) => {
    const sub = nc.subscribe(replyTo, {
      max: 1,
      callback: (err, msg) => {
        clearTimeout(timer);
        // The subscription was refused (no permission for the bucket's subjects) or closed.
        if (err !== null) return reject(err);
        // nats-server's answer when nothing subscribes to the subject: an empty 503 status message
        // (sent to this connection only: it is never captured).
        if (msg.data.length === 0 && msg.headers?.code === 503) reject("no-responders");
        else resolve(msg);
      },
    });
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject("timeout");
    }, timeoutMs);
    try {
      nc.publish(subject, data, { reply: replyTo, headers });
    } catch (err) {
      clearTimeout(timer);
      sub.unsubscribe();
      reject(err);
    }
  });
}

/** A reply JetStream captured, read back from the bucket, as the Msg the gateway would have received. */
export function capturedReply(stored: StoredMsg): Msg {
  const msg: Msg = {
    subject: stored.subject,
    sid: 0,
    data: stored.data,
    respond: () => false,
    json: <T>() => stored.json<T>(),
    string: () => stored.string(),
  };
  if (stored.header !== undefined) msg.headers = stored.header;
  return msg;
}
