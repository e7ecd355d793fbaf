/** The NATS a fault stack runs on: one nats-server with JetStream, or a cluster of them. */
import { killAtExit, startNatsCluster, startNatsServer, type NatsCluster, type NatsClusterNode, type NatsServer } from "@switchyard/testing";

export class StackNats {
  private constructor(
    private readonly server: NatsServer | undefined,
    private readonly nodes: NatsCluster | undefined,
  ) {}

  /** One server, or a cluster of `nodes` nodes; every nats-server process is killed if this process ends first. */
  static async start(nodes: number | undefined): Promise<StackNats> {
    const nats = nodes === undefined ? new StackNats(await startNatsServer(), undefined) : new StackNats(undefined, await startNatsCluster({ size: nodes }));
    for (const pid of nats.pids()) killAtExit.add(pid);
    return nats;
  }

  /** The one nats-server of a stack without `natsNodes`. */
  get ns(): NatsServer {
    if (this.server === undefined) throw new Error("this stack runs on a NATS cluster: use stack.cluster");
    return this.server;
  }

  /** The NATS cluster of a stack with `natsNodes`. */
  get cluster(): NatsCluster {
    if (this.nodes === undefined) throw new Error("this stack runs on one nats-server: use stack.ns");
    return this.nodes;
  }

  /** The server's URL, or every node's. */
  get servers(): string[] {
    return this.server !== undefined ? [this.server.url] : this.cluster.nodes.map((n) => n.url);
  }

  /** NATS_URL for the instances: the server, or every node of the cluster. */
  get url(): string {
    return this.server?.url ?? this.cluster.url;
  }

  /** NATS_URL for gateway number `n`: the server, or one node of the cluster as its seed (round robin). */
  gatewayUrl(n: number): string {
    const nodes = this.nodes?.nodes;
    return nodes === undefined ? this.url : nodes[(n - 1) % nodes.length]!.url;
  }

  /** Stops nats-server (SIGTERM), keeping its store. */
  async down(): Promise<void> {
    await this.ns.kill();
    killAtExit.delete(this.ns.pid);
  }

  /** Starts nats-server again: same port, same store. */
  async up(): Promise<void> {
    await this.ns.restart();
    killAtExit.add(this.ns.pid);
  }

  /** Stops one node of the cluster, keeping its store. */
  async nodeDown(node: NatsClusterNode, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const pid = node.pid;
    await node.kill(signal);
    killAtExit.delete(pid);
  }

  /** Starts a node of the cluster again (same ports, same store) and waits until it has rejoined. */
  async nodeUp(node: NatsClusterNode): Promise<void> {
    await node.restart();
    killAtExit.add(node.pid);
    await this.cluster.waitReady();
  }

  /** Stops every nats-server and forgets them. */
  async stop(): Promise<void> {
    const pids = this.pids();
    await (this.server ?? this.cluster).stop().catch(() => undefined);
    for (const pid of pids) killAtExit.delete(pid);
  }

  /** Every running nats-server process, for the last-resort kill. */
  private pids(): number[] {
    return this.server !== undefined ? [this.server.pid] : this.cluster.nodes.filter((n) => n.running).map((n) => n.pid);
  }
}
