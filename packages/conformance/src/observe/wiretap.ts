import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { REFERENCE_HEADER } from "./reference-instance.js";

/** What the instance under test did on one endpoint, as seen on the wire. */
export interface EndpointTally {
  /** Requests it answered. */
  readonly requests: number;
  /** Requests it answered with an error reply (Nats-Service-Error-Code). */
  readonly errors: number;
  /** The last error reply, as `$SRV.STATS` writes it: `<Nats-Service-Error-Code>:<Nats-Service-Error>`. */
  readonly lastError: string | undefined;
}

interface Pending {
  readonly endpoint: string;
  answered: boolean;
}

const NONE: EndpointTally = { requests: 0, errors: 0, lastError: undefined };

/**
 * Listens, on a connection of its own, to every request on the instance's endpoint subjects and to
 * every reply sent to an inbox, from before the instance starts: it counts what the instance
 * answered per endpoint, whoever sent the request, so `$SRV.STATS` can be checked against what
 * happened rather than against a count the suite keeps. A request is the instance's once a reply
 * without the reference instance's mark comes back for it; one published before the instance
 * subscribed gets none, and is not its.
 */
export class Wiretap {
  readonly #pending = new Map<string, Pending>();
  readonly #tallies = new Map<string, EndpointTally>();

  private constructor(private readonly nc: NatsConnection) {}

  /** `endpoints`: endpoint names by subject. */
  static async start(servers: string, endpoints: ReadonlyMap<string, string>): Promise<Wiretap> {
    const nc = await connect({ servers, name: "switchyard-conformance-wiretap" });
    const tap = new Wiretap(nc);
    for (const [subject, endpoint] of endpoints) {
      nc.subscribe(subject, { callback: (_err, msg) => tap.#request(msg, endpoint) });
    }
    nc.subscribe("_INBOX.>", { callback: (_err, msg) => tap.#reply(msg) });
    await nc.flush();
    return tap;
  }

  /** The instance's answers on the endpoint so far; call settle() first. */
  tally(endpoint: string): EndpointTally {
    return this.#tallies.get(endpoint) ?? NONE;
  }

  /** Resolves once every message the server routed before the call has reached the wiretap. */
  async settle(): Promise<void> {
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    await this.nc.close();
  }

  #request(msg: Msg, endpoint: string): void {
    if (msg.reply !== undefined && msg.reply !== "") this.#pending.set(msg.reply, { endpoint, answered: false });
  }

  #reply(msg: Msg): void {
    const pending = this.#pending.get(msg.subject);
    if (pending === undefined || pending.answered || msg.headers?.has(REFERENCE_HEADER) === true) return;
    pending.answered = true;
    const before = this.tally(pending.endpoint);
    const code = msg.headers?.has(Headers.serviceErrorCode) === true ? msg.headers.get(Headers.serviceErrorCode) : undefined;
    this.#tallies.set(
      pending.endpoint,
      code === undefined
        ? { ...before, requests: before.requests + 1 }
        : { requests: before.requests + 1, errors: before.errors + 1, lastError: `${code}:${msg.headers?.get(Headers.serviceError) ?? ""}` },
    );
  }
}
