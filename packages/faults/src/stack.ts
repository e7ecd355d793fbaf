/**
 * A whole Switchyard on loopback: nats-server with JetStream (or a cluster of them), the gateway,
 * users-ts and users-rb instances.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { bundleGateway, freePort, type NatsCluster, type NatsClusterNode, type NatsServer } from "@switchyard/testing";
import { startProc, type Proc } from "./processes.js";
import { getStatus, until } from "./readiness.js";
import { StackNats } from "./stack-nats.js";
import { instanceIdFromLog, pingUsers, usersEndpointStats, usersStatsLines, type EndpointStats, type Ping } from "./users-discovery.js";

export type { EndpointStats, Ping } from "./users-discovery.js";

export type Language = "typescript" | "ruby";

export const COMMANDS: Record<Language, string> = {
  typescript: "exec node --import tsx services/users-ts/src/main.ts",
  ruby: "cd services/users-rb && exec bundle exec bin/users-rb",
};
export const GATEWAY_COMMAND = "exec node --import tsx packages/gateway/src/main.ts";

/** One running users instance, registered in the queue group. */
export interface Instance {
  readonly name: string;
  readonly language: Language;
  /** Its NATS micro service id: what $SRV.PING and Ping's servedBy.instance report. */
  readonly id: string;
  readonly proc: Proc;
}

export interface StackOptions {
  /** Names the log folder. */
  scenario: string;
  typescript: number;
  ruby: number;
  /** The gateway's REQUEST_TIMEOUT_MS. */
  requestTimeoutMs: number;
  /** How long an instance or the gateway may take to come up (they start side by side on a busy machine). */
  startTimeoutMs?: number;
  /** Gateways on the same NATS, each on a port of its own (default 1). */
  gateways?: number;
  /** Settings for every gateway on top of the suite's own (HTTP_REQUEST_TIMEOUT_MS, MAX_IN_FLIGHT, …). */
  gatewayEnv?: Record<string, string>;
  /**
   * Run the gateway as production does, bundled and without the tsx loader (@switchyard/testing's
   * bundleGateway), for a bound on its memory. By default it runs from source through tsx.
   */
  gatewayBundle?: boolean;
  /**
   * A NATS cluster of this many nodes instead of one server (@switchyard/testing's
   * startNatsCluster): gateway n is given node n (round robin) as its only seed, so the gateways sit
   * on different nodes and learn the others from the cluster; instances are given every node and
   * pick one at random, as nats.js and nats-pure do.
   */
  natsNodes?: number;
}

/** One running gateway. */
export interface Gateway {
  /** gateway, gateway-2, …: its process and log file. */
  readonly name: string;
  /** 1 for the first one started. */
  readonly number: number;
  readonly proc: Proc;
  /** http://127.0.0.1:<port> */
  readonly url: string;
}

export class Stack {
  /** Instances started and not yet stopped by the scenario, oldest first. */
  readonly instances: Instance[] = [];
  /** Every process the stack started, for the logs and the teardown. */
  readonly procs: Proc[] = [];
  /** Every gateway started, the first one first. */
  readonly gateways: Gateway[] = [];
  private readonly counters: Record<Language | "gateway", number> = { typescript: 0, ruby: 0, gateway: 0 };
  private gatewayCommand = GATEWAY_COMMAND;
  /** How many times each gateway number has been started. */
  private readonly gatewayStarts = new Map<number, number>();
  private readonly gatewayProcs = new Set<Proc>();

  private constructor(
    readonly options: StackOptions,
    private readonly nats: StackNats,
    /** The suite's own connection, to watch $SRV.PING. */
    readonly nc: NatsConnection,
    readonly logDir: string,
  ) {}

  /** The one nats-server of a stack without `natsNodes`. */
  get ns(): NatsServer {
    return this.nats.ns;
  }

  /** The NATS cluster of a stack with `natsNodes`. */
  get cluster(): NatsCluster {
    return this.nats.cluster;
  }

  /** The first gateway's process: the one the load goes through unless a scenario says otherwise. */
  get gateway(): Proc {
    return this.gateways[0]!.proc;
  }

  /** The first gateway's URL. */
  get url(): string {
    return this.gateways[0]?.url ?? "";
  }

  /** Whether a process is one of the gateways, restarted ones included (they log differently from the services). */
  isGateway(proc: Proc): boolean {
    return this.gatewayProcs.has(proc);
  }

  get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs;
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? 45_000;
  }

  static async start(options: StackOptions): Promise<Stack> {
    const logDir = await mkdtemp(join(tmpdir(), `switchyard-faults-${options.scenario}-`));
    const nats = await StackNats.start(options.natsNodes);
    let stack: Stack | undefined;
    try {
      const nc = await connect({ servers: nats.servers, name: "faults-probe", maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      stack = new Stack(options, nats, nc, logDir);
      // With the heap settings `make up` and the Dockerfile give it (README, Performance).
      if (options.gatewayBundle === true) {
        stack.gatewayCommand = `exec node --max-semi-space-size=4 --max-old-space-size=96 ${shellQuote(await bundleGateway(logDir))}`;
      }
      const languages: Language[] = [
        ...Array<Language>(options.typescript).fill("typescript"),
        ...Array<Language>(options.ruby).fill("ruby"),
      ];
      // Side by side: on two cores, one after the other would take twice as long.
      const gateways = Array.from({ length: options.gateways ?? 1 }, () => stack!.startGateway());
      await Promise.all([...gateways, ...languages.map((l) => stack!.startInstance(l))]);
      return stack;
    } catch (err) {
      if (stack !== undefined) await stack.close(true);
      else await nats.stop();
      throw err;
    }
  }

  /** Starts one more gateway on a free port and resolves once it answers GET /. */
  async startGateway(): Promise<Gateway> {
    return this.launchGateway(++this.counters.gateway, await freePort());
  }

  /**
   * Starts gateway `old` again, on its port and with its number (so its NATS seed), once the
   * scenario has stopped it; it replaces `old` in `gateways`. Its process and log are named
   * `<name>.<start>` (gateway-2.2 for the second start of gateway-2).
   */
  async restartGateway(old: Gateway): Promise<Gateway> {
    if (old.proc.exit === undefined) throw new Error(`${old.name} is still running: stop it first`);
    const i = this.gateways.indexOf(old);
    if (i !== -1) this.gateways.splice(i, 1);
    return this.launchGateway(old.number, Number(new URL(old.url).port));
  }

  private async launchGateway(n: number, port: number): Promise<Gateway> {
    const starts = (this.gatewayStarts.get(n) ?? 0) + 1;
    this.gatewayStarts.set(n, starts);
    const name = `${n === 1 ? "gateway" : `gateway-${n}`}${starts === 1 ? "" : `.${starts}`}`;
    const url = `http://127.0.0.1:${port}`;
    const proc = startProc({
      name,
      command: this.gatewayCommand,
      env: {
        NATS_URL: this.nats.gatewayUrl(n),
        PORT: String(port),
        HOST: "127.0.0.1",
        REQUEST_TIMEOUT_MS: String(this.requestTimeoutMs),
        LOG_LEVEL: "info",
        // One line per request with its x-request-id: which requests the gateway accepted, and when.
        ACCESS_LOG: "true",
        ...this.options.gatewayEnv,
      },
      logDir: this.logDir,
      noise: (text) => text.includes('"msg":"incoming request"') || (text.includes('"msg":"request completed"') && text.includes('"statusCode":200')),
    });
    this.procs.push(proc);
    this.gatewayProcs.add(proc);
    const gateway: Gateway = { name, number: n, proc, url };
    // By number, whichever got its port first: gateway (1) is the stack's `gateway` and `url`.
    this.gateways.push(gateway);
    this.gateways.sort((a, b) => a.number - b.number);
    await until(proc, "answers GET / with 200", async () => (await getStatus(`${url}/`)) === 200, this.startTimeoutMs);
    return gateway;
  }

  /** Starts one more instance and resolves once $SRV.PING lists it. */
  async startInstance(language: Language): Promise<Instance> {
    const n = ++this.counters[language];
    const name = `users-${language === "typescript" ? "ts" : "rb"}-${n}`;
    const proc = startProc({ name, command: COMMANDS[language], env: { NATS_URL: this.nats.url }, logDir: this.logDir });
    this.procs.push(proc);
    let id: string | undefined;
    await until(
      proc,
      "logs its instance id",
      async () => {
        id = instanceIdFromLog(proc);
        return id !== undefined;
      },
      this.startTimeoutMs,
    );
    await until(proc, `answers $SRV.PING.users as ${id}`, async () => (await this.ping()).some((p) => p.id === id), this.startTimeoutMs);
    const instance: Instance = { name, language, id: id!, proc };
    this.instances.push(instance);
    return instance;
  }

  /** Sets the users service's traffic policy through the gateway's admin API; returns its revision. */
  async setTraffic(policy: unknown, comment: string): Promise<number> {
    const res = await fetch(`${this.url}/_/traffic/users.v1.UserService`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ policy, comment }),
    });
    const body = (await res.json()) as { revision?: number };
    if (res.status !== 200 || body.revision === undefined) throw new Error(`setting the traffic policy: ${res.status} ${JSON.stringify(body)}`);
    return body.revision;
  }

  /** Stops nats-server (SIGTERM), keeping its store. */
  natsDown(): Promise<void> {
    return this.nats.down();
  }

  /** Starts nats-server again: same port, same store. */
  natsUp(): Promise<void> {
    return this.nats.up();
  }

  /** Stops one node of the cluster (SIGKILL: a crash), keeping its store. */
  nodeDown(node: NatsClusterNode, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    return this.nats.nodeDown(node, signal);
  }

  /** Starts a node of the cluster again (same ports, same store) and waits until it has rejoined. */
  nodeUp(node: NatsClusterNode): Promise<void> {
    return this.nats.nodeUp(node);
  }

  /** Forgets an instance the scenario stopped or killed. */
  remove(instance: Instance): void {
    const i = this.instances.indexOf(instance);
    if (i !== -1) this.instances.splice(i, 1);
  }

  /** Every users instance answering discovery right now. */
  ping(maxWaitMs = 500): Promise<Ping[]> {
    return pingUsers(this.nc, maxWaitMs);
  }

  /** Per-instance endpoint counters from $SRV.STATS.users: every instance that answers, by its id. */
  endpointStats(maxWaitMs = 500): Promise<Map<string, EndpointStats[]>> {
    return usersEndpointStats(this.nc, maxWaitMs);
  }

  /** The same, one line per instance: how the load spread, and what it did. */
  stats(maxWaitMs = 500): Promise<string[]> {
    return usersStatsLines(this.nc, this.procs, maxWaitMs);
  }

  /** Kills every process, stops NATS; the logs are kept when `keepLogs` (a failed scenario's evidence). */
  async close(keepLogs: boolean): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    await this.nc.close().catch(() => undefined);
    await this.nats.stop();
    if (!keepLogs) await rm(this.logDir, { recursive: true, force: true });
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
