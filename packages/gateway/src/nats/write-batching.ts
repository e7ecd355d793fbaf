import type { Socket } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Holds the connection's socket writes until the event loop has handled every HTTP request it
 * read in this turn, then sends them in one write. nats.js flushes what a request publishes in a
 * microtask, so each request cost a write to the socket of its own: one system call, and a wake-up
 * of nats-server, per request. Under load one turn reads several requests; corking the socket for
 * the turn (uncorked in setImmediate, right after the poll phase) sends their publishes together.
 *
 * nats.js does not expose its socket: this reaches it through the transport it keeps, and does
 * nothing if that changes shape.
 */
export class WriteBatching {
  private corked = false;

  constructor(private readonly nc: NatsConnection) {}

  /** Called before each publish of the hot path. */
  hold(): void {
    if (this.corked) return;
    const socket = socketOf(this.nc);
    if (socket === undefined) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }
}

function socketOf(nc: NatsConnection): Socket | undefined {
  const socket = (nc as unknown as { protocol?: { transport?: { socket?: unknown } } }).protocol?.transport?.socket;
  return socket !== undefined && typeof (socket as Socket).cork === "function" ? (socket as Socket) : undefined;
}
