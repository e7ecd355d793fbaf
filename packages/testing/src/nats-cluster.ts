import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.js";
import { launch, removePortsFiles } from "./nats-process.js";

export interface NatsClusterOptions {
  /** Nodes (default 3: the smallest cluster that keeps a JetStream quorum with one node down). */
  size?: number;
  /** JetStream file storage limit per node in MB (default 256). */
  jetstreamMaxFileMb?: number;
  /** The nats-server binary (default: NATS_SERVER_BIN or `nats-server` on PATH). */
  binary?: string;
  /** How long each node may take to listen, and the cluster to elect a JetStream meta leader. */
  startTimeoutMs?: number;
  /**
   * Client authorization for every node, appended as it is (an `authorization {}` block, or the
   * `include` of writeNatsCredentials's auth.conf). Without it, clients connect with no credentials
   * and a system account user is configured beside them (`system`): nats-server 2.9 lets anonymous
   * clients in when an `authorization` block's users and an `accounts` block's meet, so the two are
   * never mixed.
   */
  extraConfig?: string;
}

/** One node of a NatsCluster: its own config, store and ports, stopped and started on its own. */
export interface NatsClusterNode {
  /** n1, n2, …: its server_name, and the JetStream peer name. */
  readonly name: string;
  /** nats://127.0.0.1:<port> for clients. */
  readonly url: string;
  readonly port: number;
  /** Where the other nodes' routes reach it. */
  readonly clusterPort: number;
  /** Its HTTP monitoring port (/varz, /jsz, /routez), new at every start. */
  readonly monitorPort: number;
  readonly pid: number;
  readonly running: boolean;
  /** Stops the node (SIGTERM, or SIGKILL for a crash), keeping its store. */
  kill(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts the node again: same ports, same store; it rejoins the cluster by its routes. */
  restart(): Promise<void>;
}

/**
 * A real nats-server cluster owned by a test: `size` nodes on loopback, routes between them all,
 * JetStream on each with a store of its own, torn down with its stores on stop().
 */
export interface NatsCluster extends AsyncDisposable {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated: what NATS_URL is set to. */
  readonly url: string;
  /**
   * The system account's user, for what only it may ask (a JetStream meta-leader step-down, $SYS
   * requests); undefined when the caller gave the client authorization (extraConfig).
   */
  readonly system: { readonly user: string; readonly pass: string } | undefined;
  /** Resolves once every running node routes to the others and the JetStream meta group has a leader. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Stops every node and deletes the stores. */
  stop(): Promise<void>;
}

const CLUSTER_NAME = "switchyard-test";

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  // One node routed to itself would wait for JetStream peers forever.
  if (!Number.isInteger(size) || size < 2) throw new Error(`a cluster needs 2 nodes or more, not ${size}`);
  const binary = options.binary ?? process.env["NATS_SERVER_BIN"] ?? "nats-server";
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const dir = await mkdtemp(join(tmpdir(), "switchyard-nats-cluster-"));
  const system = options.extraConfig === undefined ? { user: "sys", pass: randomBytes(12).toString("hex") } : undefined;
  // Known before any node starts: each node's config routes to all of them.
  const clusterPorts: number[] = [];
  for (let i = 0; i < size; i++) clusterPorts.push(await freePort());
  const routes = clusterPorts.map((p) => JSON.stringify(`nats://127.0.0.1:${p}`)).join(", ");
  // Without the caller's client authorization, anonymous clients are the one user of an account
  // with JetStream, beside the system account.
  const password = (): string => JSON.stringify(randomBytes(12).toString("hex"));
  const clientAuth =
    system === undefined
      ? options.extraConfig
      : [
          "accounts {",
          `  SYS { users = [{ user: ${JSON.stringify(system.user)}, password: ${JSON.stringify(system.pass)} }] }`,
          `  APP { jetstream: enabled, users = [{ user: "app", password: ${password()} }] }`,
          "}",
          "system_account: SYS",
          'no_auth_user: "app"',
        ].join("\n");

  const nodes: Node[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.kill("SIGKILL")));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const name = `n${i + 1}`;
      const nodeDir = join(dir, name);
      await mkdir(nodeDir);
      const config = (port: number): string =>
        [
          `server_name: ${name}`,
          `listen: "127.0.0.1:${port}"`,
          'http: "127.0.0.1:-1"',
          `ports_file_dir: "${nodeDir}"`,
          `jetstream { store_dir: "${join(nodeDir, "js")}", max_mem: 64MB, max_file: ${options.jetstreamMaxFileMb ?? 256}MB }`,
          `cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:${clusterPorts[i]}", routes: [${routes}] }`,
          clientAuth,
        ].join("\n") + "\n";
      nodes.push(new Node(name, clusterPorts[i]!, nodeDir, config, binary, startTimeoutMs));
    }
    // Side by side: a node waits for its routes' peers before JetStream elects a meta leader.
    await Promise.all(nodes.map((n) => n.start(-1)));
  } catch (err) {
    await stopAll();
    throw err;
  }

  const cluster: NatsCluster = {
    nodes,
    get url() {
      return nodes.map((n) => n.url).join(",");
    },
    system,
    waitReady: (timeoutMs = startTimeoutMs) => waitReady(nodes, timeoutMs),
    stop: stopAll,
    async [Symbol.asyncDispose]() {
      await stopAll();
    },
  };
  try {
    await cluster.waitReady();
  } catch (err) {
    await stopAll();
    throw err;
  }
  return cluster;
}

class Node implements NatsClusterNode {
  private child: ChildProcess | undefined;
  private clientPort = -1;
  private monitoring = -1;

  constructor(
    readonly name: string,
    readonly clusterPort: number,
    private readonly dir: string,
    private readonly config: (port: number) => string,
    private readonly binary: string,
    private readonly startTimeoutMs: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.clientPort}`;
  }

  get port(): number {
    return this.clientPort;
  }

  get monitorPort(): number {
    return this.monitoring;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(port: number): Promise<void> {
    const path = join(this.dir, "nats.conf");
    await writeFile(path, this.config(port));
    const { child, port: listening, monitorPort } = await launch(this.binary, path, this.dir, this.startTimeoutMs);
    this.child = child;
    this.clientPort = listening;
    this.monitoring = monitorPort ?? -1;
  }

  async kill(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    await exited;
    await removePortsFiles(this.dir);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start(this.clientPort);
  }
}

/** Each running node routes to every other running node, and knows the JetStream meta group's leader. */
async function waitReady(nodes: readonly Node[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = nodes.filter((n) => n.running);
    const waiting = (await Promise.all(running.map((n) => nodeState(n, running.length)))).filter((s) => s !== "ready");
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the NATS cluster was not ready within ${timeoutMs} ms: ${waiting.join("; ")}`);
    await sleep(100);
  }
}

/** From the node's monitoring endpoints, which need no credentials whatever the client authorization. */
async function nodeState(node: Node, running: number): Promise<string> {
  try {
    const base = `http://127.0.0.1:${node.monitorPort}`;
    const routez = (await (await fetch(`${base}/routez`, { signal: AbortSignal.timeout(1000) })).json()) as { num_routes?: number };
    if ((routez.num_routes ?? 0) < running - 1) return `${node.name} routes to ${routez.num_routes ?? 0} of ${running - 1} nodes`;
    const jsz = (await (await fetch(`${base}/jsz`, { signal: AbortSignal.timeout(1000) })).json()) as { meta_cluster?: { leader?: string } };
    return (jsz.meta_cluster?.leader ?? "") === "" ? `${node.name}: JetStream has no meta leader yet` : "ready";
  } catch (err) {
    return `${node.name}: ${(err as Error).message}`;
  }
}
