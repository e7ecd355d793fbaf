import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node";

export type RequestFailure = "timeout" | "no-responders";

interface Pending {
  resolve(msg: Msg): void;
  reject(failure: RequestFailure): void;
  deadline: number;
}

const SWEEP_MS = 25;

/**
 * Request/reply over one wildcard inbox subscription, as nats.js's request() does, without its
 * per-request costs on the gateway's hot path: nats.js builds an Error (with a stack) for every
 * request it settles, even with noAsyncTraces, and a timer per request. Here a reply resolves its
 * entry in a map, and one sweep every 25 ms times out the entries whose deadline passed (all share
 * one timeout, so the map's insertion order is deadline order).
 */
export class RequestMux {
  private readonly prefix: string;
  private readonly pending = new Map<string, Pending>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.prefix = `${createInbox()}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, { callback: (_err, msg) => this.settle(msg) });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  request(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<Msg> {
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.pending.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (err) {
        this.pending.delete(token);
        reject(err);
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const entry = this.pending.get(token);
    if (entry === undefined) return; // late: it timed out already
    this.pending.delete(token);
    // nats-server's answer when nothing subscribes to the subject: an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) entry.reject("no-responders");
    else entry.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.pending) {
      if (entry.deadline > now) break;
      this.pending.delete(token);
      entry.reject("timeout");
    }
  }
}
