import assert from "node:assert/strict";
import { createInbox, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { StreamHeaders } from "@switchyard/protocol";

/**
 * One server-streaming call on NATS as its caller sees it (services/README.md, Streaming): the
 * request sent with a reply inbox of its own, every message that came, in order, and the control
 * messages (credit, cancel) the caller may send back. For tests of services and of SDKs.
 */
export class StreamCall {
  readonly messages: Msg[] = [];
  private readonly sub: Subscription;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    subject: string,
    request: Uint8Array,
    headers: Record<string, string> = {},
  ) {
    const inbox = createInbox();
    this.sub = nc.subscribe(inbox, {
      callback: (_err, msg) => {
        this.messages.push(msg);
        this.wake?.();
      },
    });
    const h = natsHeaders();
    for (const [name, value] of Object.entries(headers)) h.set(name, value);
    nc.publish(subject, request, { reply: inbox, headers: h });
  }

  /** The first `count` messages, once they came; fails after `ms`. */
  async receive(count: number, ms: number): Promise<Msg[]> {
    const deadline = Date.now() + ms;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`${this.messages.length} of ${count} messages of the stream came within ${ms} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, left);
      });
    }
    return this.messages.slice(0, count);
  }

  /** Every message up to the end of the stream, the end included, granting credit for each as it comes. */
  async toEnd(ms: number): Promise<Msg[]> {
    const deadline = Date.now() + ms;
    for (let n = 1; ; n++) {
      const msg = (await this.receive(n, deadline - Date.now())).at(-1)!;
      if (isStreamEnd(msg)) return this.messages.slice(0, n);
      this.ack(n);
    }
  }

  /** The control subject the service named on its first message. */
  get control(): string {
    const subject = this.messages[0]?.headers?.get(StreamHeaders.control) ?? "";
    assert.notEqual(subject, "", "the first message names the stream's control subject");
    return subject;
  }

  ack(seq: number): void {
    this.send(StreamHeaders.ack, String(seq));
  }

  cancel(): void {
    this.send(StreamHeaders.cancel, "1");
  }

  close(): void {
    this.sub.unsubscribe();
  }

  private send(name: string, value: string): void {
    const h = natsHeaders();
    h.set(name, value);
    this.nc.publish(this.control, undefined, { headers: h });
  }
}

export function isStreamEnd(msg: Msg): boolean {
  return msg.headers?.has(StreamHeaders.end) ?? false;
}
