import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Whether the NATS connection is up right now. While nats.js reconnects it buffers requests, which
 * would then wait for their timeout; the gateway answers 503 at once instead.
 */
export class ConnectionState {
  private up = true;
  disconnects = 0;
  reconnects = 0;

  /** `onDisconnect` runs when the connection drops: replies due over it will never come. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly onDisconnect: () => void = () => undefined,
  ) {
    void this.watch();
  }

  get connected(): boolean {
    return this.up && !this.nc.isClosed() && !this.nc.isDraining();
  }

  private async watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") {
        this.up = false;
        this.disconnects++;
        this.onDisconnect();
      } else if (status.type === "reconnect") {
        this.up = true;
        this.reconnects++;
      }
    }
  }
}
