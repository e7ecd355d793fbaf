// Real processes on loopback: a nats-server, gateways (`packages/gateway/src/main.ts`) and users
// instances of named deployments, in TypeScript or Ruby, for the tests that need whole processes.
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { describeOutput, freePort, REPO_ROOT, startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";

export const USERS = "users.v1.UserService";

const COMMANDS = {
  ts: "exec node --import tsx services/users-ts/src/main.ts",
  rb: "cd services/users-rb && exec bundle exec bin/users-rb",
} as const;

export interface Gateway {
  url: string;
  target: Target;
}

export interface Instance {
  deployment: string;
  language: keyof typeof COMMANDS;
  id: string;
  target: Target;
}

interface InfoReply {
  id: string;
  metadata?: Record<string, string>;
}

export class ProcessStack {
  readonly gateways: Gateway[] = [];
  readonly instances: Instance[] = [];

  private constructor(
    readonly ns: NatsServer,
    readonly nc: NatsConnection,
  ) {}

  static async start(): Promise<ProcessStack> {
    const ns = await startNatsServer();
    const nc = await connect({ servers: ns.url, name: "process-stack" });
    return new ProcessStack(ns, nc);
  }

  /** A gateway process, resolved once /readyz says it is connected and has read the traffic policies. */
  async startGateway(env: Record<string, string> = {}): Promise<Gateway> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const target = startTarget({
      command: "exec node --import tsx packages/gateway/src/main.ts",
      cwd: REPO_ROOT,
      natsUrl: this.ns.url,
      env: { PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", DISCOVERY_INTERVAL_MS: "300", READY_NEEDS_INSTANCES: "false", ...env },
    });
    const gateway = { url, target };
    this.gateways.push(gateway);
    await this.until(target, "answers /readyz with 200", async () => (await fetch(`${url}/readyz`)).status === 200);
    return gateway;
  }

  /** A users instance of `deployment`, resolved once $SRV.INFO lists it. */
  async startUsers(deployment: string, language: keyof typeof COMMANDS = "ts", env: Record<string, string> = {}): Promise<Instance> {
    const before = new Set((await this.info()).map((i) => i.id));
    const target = startTarget({ command: COMMANDS[language], cwd: REPO_ROOT, natsUrl: this.ns.url, env: { SWITCHYARD_DEPLOYMENT: deployment, ...env } });
    let id = "";
    await this.until(target, `registers as deployment ${deployment}`, async () => {
      const fresh = (await this.info()).find((i) => !before.has(i.id) && i.metadata?.["deployment"] === deployment);
      id = fresh?.id ?? "";
      return fresh !== undefined;
    });
    const instance = { deployment, language, id, target };
    this.instances.push(instance);
    return instance;
  }

  /** The deployment of each live users instance, by instance id (what Ping's servedBy.instance names). */
  async deployments(): Promise<Map<string, string>> {
    return new Map((await this.info()).map((i) => [i.id, i.metadata?.["deployment"] ?? ""]));
  }

  async info(): Promise<InfoReply[]> {
    const out: InfoReply[] = [];
    try {
      for await (const reply of await this.nc.requestMany("$SRV.INFO.users", undefined, { maxWait: 300 })) out.push(reply.json<InfoReply>());
    } catch {
      // no instance: none
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.gateways.map((g) => g.target.kill()), ...this.instances.map((i) => i.target.kill())]);
    await this.nc.close().catch(() => undefined);
    await this.ns.stop();
  }

  private async until(target: Target, what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await probe().catch(() => false)) return;
      if (target.exit !== undefined) throw new Error(`${target.command} exited before it ${what}\n${describeOutput(target.output())}`);
      if (Date.now() > deadline) throw new Error(`${target.command} never ${what}\n${describeOutput(target.output())}`);
      await sleep(100);
    }
  }
}

/** JSON over HTTP: the status and the parsed body. */
export async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
}

/** Sets a service's policy through one gateway's admin API and returns its reply. */
export async function setPolicy(gateway: Gateway, policy: unknown, comment?: string): Promise<any> {
  const res = await call(`${gateway.url}/_/traffic/${USERS}`, "PUT", { policy, ...(comment ? { comment } : {}) });
  if (res.status !== 200) throw new Error(`PUT /_/traffic/${USERS}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * `count` Pings through `gateway`, `concurrency` at a time; how many each deployment answered
 * (by the instance Ping names, mapped through `deployments`).
 */
export async function pings(
  gateway: Gateway,
  count: number,
  deployments: Map<string, string>,
  headers: Record<string, string> = {},
  concurrency = 16,
): Promise<Map<string, number>> {
  const tally = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const res = await call(`${gateway.url}/`, "GET", undefined, headers);
      if (res.status !== 200) throw new Error(`GET /: ${res.status} ${JSON.stringify(res.body)}`);
      const deployment = deployments.get(res.body.servedBy.instance) ?? `unknown instance ${res.body.servedBy.instance}`;
      tally.set(deployment, (tally.get(deployment) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tally;
}
