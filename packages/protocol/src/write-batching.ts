import type { Socket } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Holds the connection's socket writes until the event loop has handled every event it read in
 * this turn, then sends them in one write. nats.js flushes what is published in a microtask, so
 * each request (the gateway's) or reply (a service's) cost a write to the socket of its own: one
 * system call, and a wake-up of nats-server, each. Under load one turn handles several; corking the
 * socket for the turn (uncorked in setImmediate, right after the poll phase) sends them together.
 *
 * nats.js does not expose its socket: this reaches it through the transport it keeps, and does
 * nothing if that changes shape.
 */
export class WriteBatching {
  private corked = false;

  constructor(private readonly nc: NatsConnection) {}

  /** Called before each publish of a hot path. */
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
