import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { WriteBatching } from "@switchyard/protocol";

export type RequestFailure = "timeout" | "no-responders" | "disconnected";

interface Pending {
  readonly seq: number;
  readonly deadline: number;
  resolve(msg: Msg): void;
  reject(failure: RequestFailure): void;
}

const SWEEP_MS = 25;
const INITIAL_SLOTS = 1024;

/**
 * Request/reply over one wildcard inbox subscription, as nats.js's request() does, without its
 * per-request costs on the gateway's hot path: nats.js builds an Error (with a stack) for every
 * request it settles, even with noAsyncTraces, and a timer per request.
 *
 * Requests are numbered, and a request's number is its reply subject's last token and its slot in
 * a ring of pending requests. A Map keyed by token did the same job, but its hash table is
 * reallocated as keys come and go, and under load the gateway promoted about 5 MB a second to the
 * old generation, mostly those tables and the requests they held (`--trace-gc-nvp`, sampling heap
 * profile), and paid for it with a full collection a second. The ring is allocated once, and grows only
 * when the requests numbered since the oldest pending one outnumber its slots (at most the request
 * rate times the timeout). All requests share one timeout, so number order is deadline order: one
 * sweep every 25 ms times out the oldest.
 */
export class RequestMux {
  private readonly prefix: string;
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private slots: (Pending | undefined)[] = new Array<Pending | undefined>(INITIAL_SLOTS).fill(undefined);
  /** The number the next request gets. */
  private next = 0;
  /** Every request numbered below this one is settled. */
  private oldest = 0;
  private readonly batching: WriteBatching;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    /** The connection's NATS_INBOX_PREFIX: the only inbox its credentials may subscribe to. */
    inboxPrefix?: string,
    /** Told when the server refuses the inbox subscription: no reply could ever arrive. */
    onRefused: (err: Error) => void = () => {},
  ) {
    this.batching = new WriteBatching(nc);
    this.prefix = `${createInbox(inboxPrefix)}.`;
    this.sub = nc.subscribe(`${this.prefix}*`, {
      callback: (err, msg) => {
        if (err !== null) onRefused(err);
        else this.settle(msg);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * `timeoutMs` shorter than the shared timeout (a retry with part of its deadline spent) gets a
   * timer of its own: the sweep relies on number order being deadline order, which such a request
   * would break.
   */
  request(subject: string, data: Uint8Array, headers: MsgHdrs, timeoutMs = this.timeoutMs): Promise<Msg> {
    if (this.next - this.oldest >= this.slots.length) this.grow();
    const seq = this.next++;
    return new Promise<Msg>((resolve, reject) => {
      const slot = seq % this.slots.length;
      if (timeoutMs < this.timeoutMs) {
        const timer = setTimeout(() => this.expire(seq), timeoutMs);
        const settled = <T>(settle: (value: T) => void) => (value: T) => {
          clearTimeout(timer);
          settle(value);
        };
        resolve = settled(resolve);
        reject = settled(reject);
      }
      this.slots[slot] = { seq, deadline: Date.now() + this.timeoutMs, resolve, reject };
      try {
        this.batching.hold();
        this.nc.publish(subject, data, { reply: this.prefix + seq.toString(36), headers });
      } catch (err) {
        this.slots[slot] = undefined;
        reject(err);
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
  }

  /** Fails every pending request at once: the connection their replies were due on is gone. */
  failAll(failure: RequestFailure): void {
    for (; this.oldest < this.next; this.oldest++) {
      const slot = this.oldest % this.slots.length;
      const entry = this.slots[slot];
      if (entry === undefined) continue;
      this.slots[slot] = undefined;
      entry.reject(failure);
    }
  }

  /** Times out one request before the sweep would. */
  private expire(seq: number): void {
    if (seq < this.oldest) return;
    const slot = seq % this.slots.length;
    const entry = this.slots[slot];
    if (entry === undefined || entry.seq !== seq) return;
    this.slots[slot] = undefined;
    entry.reject("timeout");
  }

  private settle(msg: Msg): void {
    const seq = parseInt(msg.subject.slice(this.prefix.length), 36);
    if (!(seq >= this.oldest && seq < this.next)) return; // late (it timed out already) or not ours
    const slot = seq % this.slots.length;
    const entry = this.slots[slot];
    if (entry === undefined || entry.seq !== seq) return;
    this.slots[slot] = undefined;
    // nats-server's answer when nothing subscribes to the subject: an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) entry.reject("no-responders");
    else entry.resolve(msg);
  }

  private sweep(): void {
    const now = Date.now();
    while (this.oldest < this.next) {
      const slot = this.oldest % this.slots.length;
      const entry = this.slots[slot];
      if (entry !== undefined) {
        if (entry.deadline > now) return;
        this.slots[slot] = undefined;
        entry.reject("timeout");
      }
      this.oldest++;
    }
  }

  /** Twice the slots, each pending request moved to its slot in the larger ring. */
  private grow(): void {
    const slots = new Array<Pending | undefined>(this.slots.length * 2).fill(undefined);
    for (let seq = this.oldest; seq < this.next; seq++) {
      const entry = this.slots[seq % this.slots.length];
      if (entry !== undefined) slots[seq % slots.length] = entry;
    }
    this.slots = slots;
  }
}
