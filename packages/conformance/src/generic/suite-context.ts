import type { DescService } from "@bufbuild/protobuf";
import { describeExit, describeOutput } from "@switchyard/testing";
import { setTimeout as sleep } from "node:timers/promises";
import { InstanceContext, started, type StartOptions } from "../instance-context.js";
import { DEPLOYMENT, sharedSubjects } from "./fixtures.js";

/**
 * What the generic tests share: one nats-server, one instance of any contract's implementation,
 * one client, and the micro service name the instance registered (the expected one when given).
 */
export class GenericSuiteContext extends InstanceContext {
  #name: string | undefined;

  constructor(
    readonly service: DescService,
    private readonly expectedName: string | undefined,
  ) {
    super();
  }

  get name(): string {
    return started(this.#name);
  }

  async start(options: StartOptions): Promise<void> {
    await this.startInstance(options, DEPLOYMENT);
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
}
