import { Svcm, type ServiceClient, type ServiceInfo, type ServiceStats } from "@nats-io/services";
import { errors, type NatsConnection } from "@nats-io/transport-node";
import { Metadata, rpcSubjectOf } from "@switchyard/protocol";

/** One live service instance as discovery last saw it. */
export interface Instance {
  readonly id: string;
  readonly service: string;
  readonly version: string;
  readonly language: string;
  /** The deployment it belongs to; "" for an instance whose SDK predates deployments. */
  readonly deployment: string;
  /** The nats-server it registered through (its server_name); "" when it does not say. */
  readonly natsServer: string;
  /** When it started, from $SRV.STATS (ISO 8601); "" when unknown. */
  readonly started: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly endpoints: readonly InstanceEndpoint[];
}

export interface InstanceEndpoint {
  readonly name: string;
  readonly subject: string;
  /** The RPC this endpoint serves: its subject, or the RPC's subject for a deployment's own endpoint. */
  readonly rpcSubject: string;
  readonly queueGroup: string;
  readonly requests: number;
  readonly errors: number;
  readonly averageProcessingMs: number;
}

export interface DirectoryOptions {
  /** Time between two polls; each poll waits a random 0–20 % more, so gateways do not poll in step. */
  intervalMs: number;
  /** How long a poll collects INFO and STATS replies. */
  maxWaitMs: number;
  /** Polls an instance may miss before it counts as gone. */
  missesAllowed?: number;
  /** After every poll, with the instances now live. */
  onRefresh?: (instances: readonly Instance[]) => Promise<void> | void;
  onError?: (err: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The live view of service instances, from the NATS services API ($SRV.INFO and $SRV.STATS),
 * refreshed by one poll at a time with jitter, and backing off while NATS errs.
 */
export class ServiceDirectory {
  private readonly client: ServiceClient;
  private readonly seen = new Map<string, { instance: Instance; misses: number }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polled = false;
  private failures = 0;

  constructor(
    nc: NatsConnection,
    readonly options: DirectoryOptions,
  ) {
    this.client = new Svcm(nc).client({ maxWait: options.maxWaitMs, strategy: "timer" });
  }

  /** Polls now, then keeps polling until stop(). */
  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Whether a poll has completed since start: before that, "no instance" means "not known yet". */
  get ready(): boolean {
    return this.polled;
  }

  instances(): Instance[] {
    return [...this.seen.values()].map((s) => s.instance);
  }

  /** Instances serving this RPC subject. */
  serving(subject: string): Instance[] {
    return this.instances().filter((i) => i.endpoints.some((e) => e.subject === subject));
  }

  /** Live instances of one deployment, any RPC. */
  ofDeployment(deployment: string): Instance[] {
    return this.instances().filter((i) => i.deployment === deployment);
  }

  /** One poll, for tests and for callers that need a fresh view now. */
  async refresh(): Promise<void> {
    const [infos, stats] = await Promise.all([collect<ServiceInfo>(this.client.info()), collect<ServiceStats>(this.client.stats())]);
    const statsById = new Map(stats.map((s) => [s.id, s]));
    const now = new Set<string>();
    for (const info of infos) {
      now.add(info.id);
      this.seen.set(info.id, { instance: toInstance(info, statsById.get(info.id)), misses: 0 });
    }
    for (const [id, entry] of this.seen) {
      if (now.has(id)) continue;
      entry.misses++;
      if (entry.misses > (this.options.missesAllowed ?? 1)) this.seen.delete(id);
    }
    this.polled = true;
    await this.options.onRefresh?.(this.instances());
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    let delay = this.options.intervalMs;
    try {
      await this.refresh();
      this.failures = 0;
    } catch (err) {
      this.failures++;
      delay = Math.min(MAX_BACKOFF_MS, this.options.intervalMs * 2 ** this.failures);
      this.options.onError?.(err);
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), delay * (1 + Math.random() * 0.2));
    this.timer.unref();
  }
}

async function collect<T>(replies: Promise<AsyncIterable<T>>): Promise<T[]> {
  const out: T[] = [];
  try {
    for await (const reply of await replies) out.push(reply);
  } catch (err) {
    // No service at all is an answer: none.
    if (!(err instanceof errors.RequestError && err.isNoResponders()) && !(err instanceof errors.NoRespondersError)) throw err;
  }
  return out;
}

function toInstance(info: ServiceInfo, stats: ServiceStats | undefined): Instance {
  const metadata = info.metadata ?? {};
  return {
    id: info.id,
    service: info.name,
    version: info.version,
    language: metadata[Metadata.language] ?? "",
    deployment: metadata[Metadata.deployment] ?? "",
    natsServer: metadata[Metadata.natsServer] ?? "",
    started: stats?.started ?? "",
    metadata,
    endpoints: info.endpoints.map((e) => {
      const s = stats?.endpoints?.find((x) => x.name === e.name && x.subject === e.subject);
      return {
        name: e.name,
        subject: e.subject,
        rpcSubject: rpcSubjectOf(e.subject),
        queueGroup: e.queue_group ?? "",
        requests: s?.num_requests ?? 0,
        errors: s?.num_errors ?? 0,
        averageProcessingMs: (s?.average_processing_time ?? 0) / 1e6,
      };
    }),
  };
}
