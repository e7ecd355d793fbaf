import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { Kvm, type KV } from "@nats-io/kv";
import { PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { describeExit, describeOutput } from "@switchyard/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { InstanceContext, started, type StartOptions } from "../instance-context.js";
import { assertStats, type SrvEndpointStats } from "../observe/srv-responses.js";
import { Wiretap } from "../observe/wiretap.js";
import { BUCKET, DEPLOYMENT, endpointsBySubject, SERVICE_NAME } from "./fixtures.js";

/**
 * What every test of the suite shares: one nats-server, one instance under test, one client, and a
 * wiretap counting what the instance answered on each endpoint since before it started.
 */
export class UsersSuiteContext extends InstanceContext {
  #wiretap: Wiretap | undefined;
  #kv: KV | undefined;

  get name(): string {
    return SERVICE_NAME;
  }

  get wiretap(): Wiretap {
    return started(this.#wiretap);
  }

  /** The shared bucket, opened on first use (an implementation may create it on its first write). */
  async kv(): Promise<KV> {
    this.#kv ??= await new Kvm(this.nc).open(BUCKET);
    return this.#kv;
  }

  /** One endpoint's counters in `$SRV.STATS.users`, the whole reply's shape checked. */
  async endpointStats(name: string): Promise<SrvEndpointStats> {
    const stats = await this.discover("STATS");
    assertStats(stats);
    return stats.endpoints.find((e) => e.name === name) ?? assert.fail(`$SRV.STATS.${SERVICE_NAME} lists no endpoint ${name}`);
  }

  async start(options: StartOptions): Promise<void> {
    await this.startInstance(options, DEPLOYMENT, async (natsUrl) => {
      this.#wiretap = await Wiretap.start(natsUrl, endpointsBySubject());
    });
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

  protected override async closeOthers(): Promise<void> {
    await this.#wiretap?.stop().catch(() => undefined);
  }
}
