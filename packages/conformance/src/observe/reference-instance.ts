import { connect, headers, type NatsConnection } from "@nats-io/transport-node";

/** The header a reference instance puts on its replies, so that they are told apart from the instance's. */
export const REFERENCE_HEADER = "Switchyard-Conformance-Reference";

/** A subject and the queue group a reference instance joins on it. */
export interface Membership {
  readonly subject: string;
  readonly queue: string;
}

/**
 * A second instance, as the suite runs it: it joins the queue groups the instance under test claims
 * and answers every request it gets with an empty, marked reply, counting them. Beside an honest
 * instance NATS hands each request to one of the two; beside one that subscribed elsewhere, to both.
 */
export class ReferenceInstance {
  readonly #received = new Map<string, number>();

  private constructor(readonly nc: NatsConnection) {}

  static async join(servers: string, memberships: readonly Membership[]): Promise<ReferenceInstance> {
    const nc = await connect({ servers, name: "switchyard-conformance-reference" });
    const reference = new ReferenceInstance(nc);
    const marked = headers();
    marked.set(REFERENCE_HEADER, "1");
    for (const { subject, queue } of memberships) {
      nc.subscribe(subject, {
        queue,
        callback: (_err, msg) => {
          reference.#received.set(subject, reference.received(subject) + 1);
          msg.respond(new Uint8Array(), { headers: marked });
        },
      });
    }
    // The server has the subscriptions once it answers: no request sent after this misses them.
    await nc.flush();
    return reference;
  }

  /** How many requests on `subject` this instance got. */
  received(subject: string): number {
    return this.#received.get(subject) ?? 0;
  }

  async leave(): Promise<void> {
    await this.nc.close();
  }
}
