import { create, toBinary } from "@bufbuild/protobuf";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { RpcClient } from "../rpc.js";
import { describeExit, describeOutput, startTarget, type Target } from "@switchyard/testing";
import { BUCKET, DEPLOYMENT, SERVICE_NAME } from "./fixtures.js";

export interface StartOptions {
  command: string;
  cwd: string;
  readyTimeoutMs: number;
  echo: boolean;
}

/** What every test of the suite shares: one nats-server, one instance under test, one client. */
export class UsersSuiteContext {
  #nats: NatsServer | undefined;
  #target: Target | undefined;
  #nc: NatsConnection | undefined;
  #rpc: RpcClient | undefined;
  #kv: KV | undefined;

  get target(): Target {
    return started(this.#target);
  }

  get nc(): NatsConnection {
    return started(this.#nc);
  }

  get rpc(): RpcClient {
    return started(this.#rpc);
  }

  /** The shared bucket, opened on first use (an implementation may create it on its first write). */
  async kv(): Promise<KV> {
    this.#kv ??= await new Kvm(this.nc).open(BUCKET);
    return this.#kv;
  }

  /** `$SRV.<verb>.users` of the NATS services API, decoded from JSON. */
  async discover(verb: "PING" | "INFO" | "STATS"): Promise<Record<string, unknown>> {
    const subject = `$SRV.${verb}.${SERVICE_NAME}`;
    try {
      const msg = await this.nc.request(subject, new Uint8Array(), { timeout: 5_000 });
      return msg.json<Record<string, unknown>>();
    } catch (err) {
      throw this.rpc.explain(`request on ${subject} failed`, err);
    }
  }

  async start(options: StartOptions): Promise<void> {
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
    await this.#waitUntilServing(options.readyTimeoutMs);
  }

  /** Polls Ping until the instance answers, it exits, or the time is up. */
  async #waitUntilServing(timeoutMs: number): Promise<void> {
    const target = this.target;
    const subject = methodSubject(UserService.method.ping);
    const ping = toBinary(PingRequestSchema, create(PingRequestSchema));
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    for (;;) {
      if (target.exit !== undefined) {
        throw new Error(
          `the implementation ${describeExit(target.exit)} before serving ${subject}\n` +
            `command: ${target.command}\n${describeOutput(target.output())}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the implementation did not answer ${subject} within ${timeoutMs} ms (last: ${lastError})\n` +
            `command: ${target.command}\n${describeOutput(target.output())}`,
        );
      }
      try {
        await this.nc.request(subject, ping, { timeout: 1_000 });
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        await sleep(100);
      }
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
  if (value === undefined) throw new Error("the conformance suite did not start (see the before hook's error)");
  return value;
}
