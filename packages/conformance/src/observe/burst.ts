import { setTimeout as sleep } from "node:timers/promises";
import { createInbox, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

/** A request of a burst: where it goes, what it carries. */
export interface BurstRequest {
  readonly subject: string;
  readonly payload: Uint8Array;
}

/** A reply as the burst got it. */
export interface BurstReply {
  readonly data: Uint8Array;
  /** Switchyard-Error-Reason, when it is an error reply. */
  readonly reason: string | undefined;
  readonly description: string | undefined;
}

/**
 * Many requests published at once, each with its own reply subject, and every reply they get,
 * however many: what the suite needs to see that requests in flight are all answered once.
 */
export class Burst {
  readonly #replies: BurstReply[][];
  #answered = 0;

  private constructor(
    private readonly sub: Subscription,
    count: number,
  ) {
    this.#replies = Array.from({ length: count }, () => []);
  }

  /** Publishes every request, and resolves once the server has routed them all. */
  static async send(nc: NatsConnection, requests: readonly BurstRequest[]): Promise<Burst> {
    const inbox = createInbox();
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (_err, msg) => {
        const replies = burst.#replies[Number(msg.subject.slice(inbox.length + 1))];
        if (replies === undefined) return;
        if (replies.length === 0) burst.#answered++;
        replies.push({
          data: msg.data,
          reason: msg.headers?.has(Headers.errorReason) === true ? msg.headers.get(Headers.errorReason) : undefined,
          description: msg.headers?.has(Headers.serviceError) === true ? msg.headers.get(Headers.serviceError) : undefined,
        });
      },
    });
    // Replies come only once the requests are published, below.
    const burst = new Burst(sub, requests.length);
    requests.forEach(({ subject, payload }, i) => nc.publish(subject, payload, { reply: `${inbox}.${i}` }));
    await nc.flush();
    return burst;
  }

  /** How many requests have had a reply. */
  get answered(): number {
    return this.#answered;
  }

  /** The replies of request `i`, in order of arrival. */
  replies(i: number): readonly BurstReply[] {
    return this.#replies[i] ?? [];
  }

  get size(): number {
    return this.#replies.length;
  }

  /** Waits until every request has a reply, or `ms` have passed. */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#answered < this.#replies.length && Date.now() < deadline) await sleep(10);
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
