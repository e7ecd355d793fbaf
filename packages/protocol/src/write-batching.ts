import type { Socket } from "node:net";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Holds the connection's socket writes until the event loop has handled every event it read in
 * this turn (or MAX_HELD publishes), then sends them in one write. nats.js flushes what is
 * published in a microtask, so each request (the gateway's) or reply (a service's) cost a write to
 * the socket of its own: one system call, and a wake-up of nats-server, each. Under load one turn
 * handles several; corking the socket for the turn (uncorked in setImmediate, right after the poll
 * phase) sends them together.
 *
 * nats.js does not expose its socket: this reaches it through the transport it keeps, and does
 * nothing if that changes shape.
 */
export class WriteBatching {
  /**
   * At most this many publishes wait for one write. Without a bound, under a closed-loop load every
   * process in the chain (gateway, nats-server, service) took its whole turn's batch at once and
   * waited for the next: the stages ran one after another instead of overlapping. The peers harness
   * (wrk, 50 connections) served 10,900 req/s unbounded, 12,800 with 8, 13,700 with 16 and 13,500
   * with 32 (each the mean of 2 rounds; 9,700 without batching).
   */
  static readonly MAX_HELD = 16;

  /** The socket corked for this turn, if any. */
  private corked: Socket | undefined;
  private held = 0;

  constructor(private readonly nc: NatsConnection) {}

  /** Called before each publish of a hot path. */
  hold(): void {
    const corked = this.corked;
    if (corked !== undefined) {
      // The publishes held so far are in the socket's buffer already (nats.js flushed them in
      // their microtasks): send them, and hold on.
      if (++this.held > WriteBatching.MAX_HELD) {
        corked.uncork();
        corked.cork();
        this.held = 1;
      }
      return;
    }
    const socket = socketOf(this.nc);
    if (socket === undefined) return;
    this.corked = socket;
    this.held = 1;
    socket.cork();
    setImmediate(() => {
      this.corked = undefined;
      socket.uncork();
    });
  }
}

function socketOf(nc: NatsConnection): Socket | undefined {
  const socket = (nc as unknown as { protocol?: { transport?: { socket?: unknown } } }).protocol?.transport?.socket;
  return socket !== undefined && typeof (socket as Socket).cork === "function" ? (socket as Socket) : undefined;
}
