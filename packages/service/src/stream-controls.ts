import { nuid, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { streamControlSubject } from "@switchyard/protocol";
import { OpenStream } from "./open-stream.js";
import type { ServiceError } from "./service-error.js";

/** nats.js's inbox prefix when the connection names none. */
const DEFAULT_INBOX_PREFIX = "_INBOX";

/**
 * The streams one instance is sending, and the one subscription their callers' control messages
 * arrive on: `<inbox prefix>.stream.<instance>.*`, under the connection's inbox prefix, the only
 * subjects its credentials let it subscribe to besides its own RPCs (services/README.md, Streaming).
 */
export class StreamControls {
  readonly #prefix: string;
  readonly #instance = nuid.next();
  readonly #streams = new Map<string, OpenStream>();
  readonly #sub: Subscription;
  #next = 0;

  constructor(nc: NatsConnection, onError: (err: Error) => void) {
    this.#prefix = inboxPrefixOf(nc);
    this.#sub = nc.subscribe(streamControlSubject(this.#prefix, this.#instance, "*"), {
      callback: (err, msg) => {
        if (err !== null) onError(err);
        else this.#streams.get(msg.subject.slice(msg.subject.lastIndexOf(".") + 1))?.control(msg.headers);
      },
    });
  }

  /** A new stream with a control subject of its own; `close` it once it has ended. */
  open(deadline: number | undefined): OpenStream {
    const id = (this.#next++).toString(36);
    const stream = new OpenStream(streamControlSubject(this.#prefix, this.#instance, id), deadline);
    this.#streams.set(id, stream);
    return stream;
  }

  close(stream: OpenStream): void {
    stream.close();
    this.#streams.delete(stream.controlSubject.slice(stream.controlSubject.lastIndexOf(".") + 1));
  }

  /** Stops every open stream (the instance is stopping): each ends with `reason`. */
  stopAll(reason: ServiceError): void {
    for (const stream of this.#streams.values()) stream.stop(reason);
  }

  /** No more control messages: every stream has ended. */
  async drain(): Promise<void> {
    await this.#sub.drain();
  }
}

/**
 * The connection's NATS_INBOX_PREFIX (natsOptionsFromEnv sets it on the options), which nats.js
 * 3 keeps on the connection's options but does not type on NatsConnection.
 */
function inboxPrefixOf(nc: NatsConnection): string {
  return (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix || DEFAULT_INBOX_PREFIX;
}
