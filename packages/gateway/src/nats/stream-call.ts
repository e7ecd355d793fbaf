import { headers as natsHeaders, nuid, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Headers, STREAM_HEARTBEAT_MS, STREAM_WINDOW, StreamHeaders, streamReplySubject } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import { replyOutcome, serviceErrorOf } from "./call-service.js";

/** Credit goes back every this many messages taken: half the window, so a service streaming at the client's pace never waits on the ack. */
const ACK_EVERY = STREAM_WINDOW / 2;
/** A control subject the gateway publishes to: a literal subject (no wildcard, no space), bounded. */
const CONTROL_SUBJECT = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;
const MAX_CONTROL_SUBJECT = 256;

export interface StreamCallOptions {
  /** The gateway's NATS_INBOX_PREFIX, under which the stream's messages arrive. */
  readonly inboxPrefix: string;
  /** The contract service (`users.v1.UserService`): its streams' reply subjects are its own. */
  readonly service: string;
  /** How long the whole stream may last: the deadline the request carries. */
  readonly timeoutMs: number;
}

/**
 * One server-streaming call over NATS (services/README.md, Streaming): sends the request with a reply
 * subject of its own, hands out the service's messages in order, grants credit as they are taken
 * and cancels when told. Every way it can end is `next()` resolving undefined (the service's
 * successful end) or rejecting with a GatewayError: the service's error, no responders, the
 * deadline, a message lost or out of order.
 */
export class StreamCall {
  /** How the stream ended, for the counters: `ok`, the service's code, or the gateway's failure; undefined while it runs. */
  outcome: string | undefined;
  /** The first message's headers (a message or the end): the HTTP status and headers it asks for. */
  head: MsgHdrs | undefined;
  /** Settles once the stream is over, however it ended; `outcome` says how. */
  readonly closed: Promise<void>;
  private markClosed: () => void = () => undefined;
  private readonly sub: Subscription;
  private readonly queue: Msg[] = [];
  /** The end-of-stream message, once it came: next() gives it after the messages before it. */
  private last: Msg | undefined;
  private readonly deadline: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private waiter: (() => void) | undefined;
  private failure: GatewayError | undefined;
  private control: string | undefined;
  private received = 0;
  private taken = 0;
  private acked = 0;
  private ended = false;
  private cancelled = false;
  private isClosed = false;

  constructor(
    private readonly nc: NatsConnection,
    subject: string,
    payload: Uint8Array,
    headers: MsgHdrs,
    options: StreamCallOptions,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    const inbox = streamReplySubject(options.inboxPrefix, options.service, nuid.next());
    this.sub = nc.subscribe(inbox, {
      callback: (err, msg) => {
        if (err === null) this.arrived(msg);
        else this.fail(new GatewayError("NATS_UNAVAILABLE", "the message bus refused the stream's inbox"), "unavailable");
      },
    });
    this.deadline = setTimeout(() => this.timedOut(options.timeoutMs), options.timeoutMs);
    this.deadline.unref();
    this.heartbeat = setInterval(() => this.sendAck(), STREAM_HEARTBEAT_MS);
    this.heartbeat.unref();
    try {
      nc.publish(subject, payload, { reply: inbox, headers });
    } catch {
      this.fail(new GatewayError("NATS_UNAVAILABLE", "the message bus is not reachable; retry shortly"), "unavailable");
    }
  }

  /** The next message of the stream, undefined after the service's successful end. */
  async next(): Promise<Msg | undefined> {
    for (;;) {
      const msg = this.queue.shift();
      if (msg !== undefined) return msg;
      if (this.last !== undefined) return this.finish(this.last);
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  /** The HTTP client has taken messages up to `seq`: the service gets credit for more. */
  took(seq: number): void {
    this.taken = seq;
    if (this.taken - this.acked >= ACK_EVERY) this.sendAck();
  }

  /**
   * The HTTP client is gone: `next()` rejects, and the service is told to stop, at once or, when it
   * has not named its control subject yet, with its first message.
   */
  cancel(): void {
    if (this.cancelled || this.isClosed) return;
    this.cancelled = true;
    this.outcome ??= "CANCELLED";
    this.failure ??= new GatewayError("CANCELLED", "the client went away");
    this.queue.length = 0;
    this.last = undefined;
    this.waiter?.();
    if (this.ended || this.control !== undefined) this.stopService();
  }

  private arrived(msg: Msg): void {
    if (this.ended) return;
    if (this.received === 0 && msg.data.length === 0 && msg.headers?.code === 503 && !msg.headers.has(StreamHeaders.end)) {
      this.fail(new GatewayError("NO_SERVICE", "no service instance is serving this route right now"), "no_responders");
      return;
    }
    if (this.head === undefined) {
      this.head = msg.headers;
      const control = msg.headers?.get(StreamHeaders.control) ?? "";
      if (CONTROL_SUBJECT.test(control) && control.length <= MAX_CONTROL_SUBJECT) this.control = control;
    }
    if (this.cancelled) {
      this.stopService();
      return;
    }
    // The end, or an error reply without its marks (a request answered before it ran: the
    // instance was stopping), which ends the stream as well.
    const end = msg.headers?.get(StreamHeaders.end) ?? "";
    const isEnd = end !== "" || (msg.headers?.has(Headers.serviceErrorCode) ?? false);
    const inOrder = isEnd ? end === "" || Number(end) === this.received : msg.headers?.get(StreamHeaders.seq) === String(this.received + 1);
    if (!inOrder) {
      this.fail(new GatewayError("BAD_SERVICE_REPLY", "the service's stream lost or reordered a message"), "bad_reply");
      return;
    }
    if (!isEnd && this.control === undefined) {
      this.fail(new GatewayError("BAD_SERVICE_REPLY", "the service's stream names no control subject"), "bad_reply");
      return;
    }
    if (isEnd) {
      this.ended = true;
      this.last = msg;
    } else {
      this.received++;
      this.queue.push(msg);
    }
    this.waiter?.();
  }

  /** The end of the stream: undefined for success, else the service's error. */
  private finish(end: Msg): undefined {
    this.outcome ??= replyOutcome(end);
    this.close();
    const error = serviceErrorOf(end);
    if (error !== undefined) throw error;
    return undefined;
  }

  private timedOut(timeoutMs: number): void {
    if (this.ended) return;
    const what = this.head === undefined ? "reply" : "finish its stream";
    if (this.control !== undefined) this.publishControl(StreamHeaders.cancel, "1");
    this.fail(new GatewayError("SERVICE_TIMEOUT", `the service did not ${what} within ${timeoutMs} ms`), "timeout");
  }

  /** Tells the service to stop (a cancel on its control subject, when it named one) and hears no more. */
  private stopService(): void {
    if (!this.ended && this.control !== undefined) this.publishControl(StreamHeaders.cancel, "1");
    this.ended = true;
    this.close();
  }

  private fail(error: GatewayError, outcome: string): void {
    if (this.ended) return;
    this.failure ??= error;
    this.outcome ??= outcome;
    this.ended = true;
    this.close();
    this.waiter?.();
  }

  private sendAck(): void {
    if (this.control === undefined || this.ended) return;
    this.acked = this.taken;
    this.publishControl(StreamHeaders.ack, String(this.taken));
  }

  private publishControl(header: string, value: string): void {
    const h = natsHeaders();
    h.set(header, value);
    try {
      this.nc.publish(this.control!, undefined, { headers: h });
    } catch {
      // NATS is out of reach: the service stops on its own once it hears nothing (STREAM_IDLE_MS).
    }
  }

  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.deadline);
    clearInterval(this.heartbeat);
    this.sub.unsubscribe();
    this.markClosed();
  }
}
