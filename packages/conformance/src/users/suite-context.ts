import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { describeExit, describeOutput, startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { assertStats, type SrvEndpointStats } from "../observe/srv-responses.js";
import { Wiretap } from "../observe/wiretap.js";
import { RpcClient } from "../rpc.js";
import { BUCKET, DEPLOYMENT, endpointsBySubject, SERVICE_NAME } from "./fixtures.js";

export interface StartOptions {
  command: string;
  cwd: string;
  readyTimeoutMs: number;
  echo: boolean;
}

/**
 * What every test of the suite shares: one nats-server, one instance under test, one client, and a
 * wiretap counting what the instance answered on each endpoint since before it started.
 */
export class UsersSuiteContext {
  #nats: NatsServer | undefined;
  #wiretap: Wiretap | undefined;
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

  /** The server's URL, for connections of a test's own (a reference instance). */
  get natsUrl(): string {
    return started(this.#nats).url;
  }

  get wiretap(): Wiretap {
    return started(this.#wiretap);
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

  /** One endpoint's counters in `$SRV.STATS.users`, the whole reply's shape checked. */
  async endpointStats(name: string): Promise<SrvEndpointStats> {
    const stats = await this.discover("STATS");
    assertStats(stats);
    return stats.endpoints.find((e) => e.name === name) ?? assert.fail(`$SRV.STATS.${SERVICE_NAME} lists no endpoint ${name}`);
  }

  async start(options: StartOptions): Promise<void> {
    this.#nats = await startNatsServer({ jetstream: true });
    this.#wiretap = await Wiretap.start(this.#nats.url, endpointsBySubject());
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
    await this.#wiretap?.stop().catch(() => undefined);
    await this.#nc?.close().catch(() => undefined);
    await this.#nats?.stop();
  }
}

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the conformance suite did not start (see the before hook's error)");
  return value;
}
