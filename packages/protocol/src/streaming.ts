/**
 * Server streaming on NATS (services/README.md, Streaming): one request, as for a unary RPC; the
 * service answers with numbered messages to the request's reply subject, then one end-of-stream
 * message carrying the outcome. The caller grants credit, or cancels, on a control subject the
 * service names in its first message.
 */
export const StreamHeaders = {
  /** On each message of the stream: its number, 1, 2, 3, ... */
  seq: "Switchyard-Stream-Seq",
  /**
   * On the end-of-stream message (empty body): how many messages came before it. Success carries no
   * error headers; an error carries them as a unary error reply does.
   */
  end: "Switchyard-Stream-End",
  /** On the first message the service sends (a message or the end): the stream's control subject. */
  control: "Switchyard-Stream-Control",
  /**
   * On a control message: the caller has taken every message up to this number, so the service may
   * send up to this number plus STREAM_WINDOW. Sent again as a heartbeat while the stream is open.
   */
  ack: "Switchyard-Stream-Ack",
  /** On a control message: the caller is gone; the service stops and sends nothing more. */
  cancel: "Switchyard-Stream-Cancel",
} as const;

/** Messages a service may send beyond the last one acknowledged; the first WINDOW need no ack. */
export const STREAM_WINDOW = 16;

/** While a stream is open, the caller repeats its last ack at least this often. */
export const STREAM_HEARTBEAT_MS = 2_000;

/**
 * A service that has waited this long for credit without any control message stops the stream:
 * its caller is gone (several heartbeats missed).
 */
export const STREAM_IDLE_MS = 6_000;

/** The token after an inbox prefix that marks the subjects of streams. */
const STREAM_TOKEN = "stream";

/**
 * Where a caller receives one stream of a contract service: `<inbox prefix>.stream.<service>.<id>`
 * (`_INBOX_gateway.stream.users.v1.UserService.<nuid>`), so that NATS permissions can let a
 * service's role publish to the streams of its own contracts only.
 */
export function streamReplySubject(inboxPrefix: string, service: string, id: string): string {
  return `${inboxPrefix}.${STREAM_TOKEN}.${service}.${id}`;
}

/** Every stream reply subject of one contract service under one caller's inbox prefix. */
export function streamReplySubjects(inboxPrefix: string, service: string): string {
  return `${inboxPrefix}.${STREAM_TOKEN}.${service}.*`;
}

/**
 * The control subjects of one service instance: `<its inbox prefix>.stream.<instance>.<stream>`,
 * under the inbox prefix its credentials let it subscribe to; it subscribes to
 * `<its inbox prefix>.stream.<instance>.*`.
 */
export function streamControlSubject(inboxPrefix: string, instance: string, stream: string): string {
  return `${inboxPrefix}.${STREAM_TOKEN}.${instance}.${stream}`;
}

/** Every control subject under one service role's inbox prefix: what a caller may publish to. */
export function streamControlSubjects(inboxPrefix: string): string {
  return `${inboxPrefix}.${STREAM_TOKEN}.*.*`;
}
