import assert from "node:assert/strict";
import type { DescService } from "@bufbuild/protobuf";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describeExit, describeOutput, startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { RpcClient } from "../rpc.js";
import { DEPLOYMENT, sharedSubjects } from "./fixtures.js";

export interface GenericStartOptions {
  command: string;
  cwd: string;
  readyTimeoutMs: number;
  echo: boolean;
}

/**
 * What the generic tests share: one nats-server, one instance of any contract's implementation,
 * one client, and the micro service name the instance registered (the expected one when given).
 */
export class GenericSuiteContext {
  #nats: NatsServer | undefined;
  #target: Target | undefined;
  #nc: NatsConnection | undefined;
  #rpc: RpcClient | undefined;
  #name: string | undefined;

  constructor(
    readonly service: DescService,
    private readonly expectedName: string | undefined,
  ) {}

  get target(): Target {
    return started(this.#target);
  }

  get nc(): NatsConnection {
    return started(this.#nc);
  }

  get rpc(): RpcClient {
    return started(this.#rpc);
  }

  /** The micro service name ($SRV.<verb>.<name>). */
  get name(): string {
    return started(this.#name);
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

  async start(options: GenericStartOptions): Promise<void> {
    this.#nats = await startNatsServer({ jetstream: true });
    this.#nc = await connect({ servers: this.#nats.url, name: "switchyard-conformance" });
    this.#target = startTarget({
      command: options.command,
      cwd: options.cwd,
      natsUrl: this.#nats.url,
      echo: options.echo,
      env: { SWITCHYARD_DEPLOYMENT: DEPLOYMENT },
    });
    this.#rpc = new RpcClient(this.#nc, this.#target);
    this.#name = await this.#waitUntilServing(options.readyTimeoutMs);
  }

  /**
   * Polls `$SRV.INFO` (of every service: the instance is the only one) until it lists an endpoint
   * on every RPC's subject. The instance sends that reply after subscribing to them, on the same
   * connection, so the server routes requests to it from then on.
   */
  async #waitUntilServing(timeoutMs: number): Promise<string> {
    const target = this.target;
    const subject = this.expectedName === undefined ? "$SRV.INFO" : `$SRV.INFO.${this.expectedName}`;
    const wanted = sharedSubjects(this.service);
    const deadline = Date.now() + timeoutMs;
    let last = "no reply yet";
    for (;;) {
      if (target.exit !== undefined) {
        throw new Error(`the implementation ${describeExit(target.exit)} before serving ${this.service.typeName}\ncommand: ${target.command}\n${describeOutput(target.output())}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the implementation did not list every RPC of ${this.service.typeName} on ${subject} within ${timeoutMs} ms (last: ${last})\n` +
            `command: ${target.command}\n${describeOutput(target.output())}`,
        );
      }
      try {
        const info = (await this.nc.request(subject, new Uint8Array(), { timeout: 1_000 })).json<{ name?: unknown; endpoints?: { subject?: unknown }[] }>();
        const subjects = new Set((info.endpoints ?? []).map((e) => e.subject));
        const missing = wanted.filter((s) => !subjects.has(s));
        if (missing.length === 0 && typeof info.name === "string") return info.name;
        last = `${String(info.name)} lists no endpoint on ${missing.join(", ")}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(100);
    }
  }

  /** Kills whatever is left and stops the server; safe after a failed start. */
  async stop(): Promise<void> {
    await this.#target?.kill();
    await this.#nc?.close().catch(() => undefined);
    await this.#nats?.stop();
  }
}

function started<T>(value: T | undefined): T {
  if (value === undefined) assert.fail("the conformance suite did not start (see the before hook's error)");
  return value;
}
