import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";
import { RpcClient } from "./rpc.js";

export interface StartOptions {
  /** Shell command starting one instance; it reads NATS_URL. */
  command: string;
  cwd: string;
  readyTimeoutMs: number;
  echo: boolean;
}

/**
 * What every suite's context holds: one nats-server (JetStream on), one instance of the
 * implementation under test in the suite's deployment, one client, and the instance's micro service
 * by name. A suite adds its own readiness check (and what else it watches) around `startInstance`.
 */
export abstract class InstanceContext {
  #nats: NatsServer | undefined;
  #target: Target | undefined;
  #nc: NatsConnection | undefined;
  #rpc: RpcClient | undefined;

  /** The micro service name ($SRV.<verb>.<name>). */
  abstract get name(): string;

  get target(): Target {
    return started(this.#target);
  }

  get nc(): NatsConnection {
    return started(this.#nc);
  }

  get rpc(): RpcClient {
    return started(this.#rpc);
  }

  /** The server's URL, for connections of a test's own (a reference instance). */
  get natsUrl(): string {
    return started(this.#nats).url;
  }

  /** `$SRV.<verb>.<name>` of the NATS services API, decoded from JSON. */
  async discover(verb: "PING" | "INFO" | "STATS"): Promise<Record<string, unknown>> {
    const subject = `$SRV.${verb}.${this.name}`;
    try {
      const msg = await this.nc.request(subject, new Uint8Array(), { timeout: 5_000 });
      return msg.json<Record<string, unknown>>();
    } catch (err) {
      throw this.rpc.explain(`request on ${subject} failed`, err);
    }
  }

  /**
   * Starts the server, then `beforeInstance` with its URL (what must watch from the instance's
   * first moment), the client, and the instance with SWITCHYARD_DEPLOYMENT set to `deployment`.
   */
  protected async startInstance(options: StartOptions, deployment: string, beforeInstance?: (natsUrl: string) => Promise<void>): Promise<void> {
    this.#nats = await startNatsServer({ jetstream: true });
    await beforeInstance?.(this.#nats.url);
    this.#nc = await connect({ servers: this.#nats.url, name: "switchyard-conformance" });
    this.#target = startTarget({
      command: options.command,
      cwd: options.cwd,
      natsUrl: this.#nats.url,
      echo: options.echo,
      env: { SWITCHYARD_DEPLOYMENT: deployment },
    });
    this.#rpc = new RpcClient(this.#nc, this.#target);
  }

  /** What a suite opened besides the client, closed once the instance is gone. */
  protected async closeOthers(): Promise<void> {}

  /** Kills whatever is left and stops the server; safe after a failed start. */
  async stop(): Promise<void> {
    await this.#target?.kill();
    await this.closeOthers();
    await this.#nc?.close().catch(() => undefined);
    await this.#nats?.stop();
  }
}

/** The value, once the suite has started; a clear error before (a test run after a failed start). */
export function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the conformance suite did not start (see the before hook's error)");
  return value;
}
