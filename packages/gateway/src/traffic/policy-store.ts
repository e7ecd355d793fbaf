import { jetstream, JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { KvWatchInclude, Kvm, type KV, type KvEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { TRAFFIC_BUCKET, TRAFFIC_HISTORY, withKvReplicas } from "@switchyard/protocol";

/** What one revision of a service's policy holds in the bucket. */
export interface PolicyRecord {
  policy: unknown;
  /** Why it changed, as the operator said. */
  comment?: string;
  changedAt: string;
}

/** One revision of one service's policy: a record, or its removal. */
export interface PolicyRevision {
  service: string;
  revision: number;
  /** null when the policy was removed (or the stored value is not a record). */
  record: PolicyRecord | null;
  /** Set when the stored value does not parse: someone wrote the bucket by hand. */
  unreadable?: string;
}

/** The bucket's revision moved on since the caller read it. */
export class RevisionConflict extends Error {
  override readonly name = "RevisionConflict";
}

/**
 * The traffic policies in their JetStream KV bucket: created where missing, watched by every
 * gateway, written by the admin API, with the bucket's history as the revisions to roll back to.
 */
export class PolicyStore {
  private constructor(readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<PolicyStore> {
    const kv = await withKvReplicas(nc, (replicas) => new Kvm(jetstream(nc)).create(TRAFFIC_BUCKET, { history: TRAFFIC_HISTORY, replicas }));
    return new PolicyStore(kv);
  }

  /**
   * Calls `onRevision` with each service's current policy, then with every change, in order.
   * `onLoaded` runs once the current policies are all delivered. Resolves when the watch ends
   * (stop(), or the connection closed).
   */
  async watch(onRevision: (entry: PolicyRevision) => void, onLoaded: () => void, signal: AbortSignal): Promise<void> {
    const { values } = await this.kv.status();
    let loaded = false;
    const loadedNow = () => {
      if (!loaded) {
        loaded = true;
        onLoaded();
      }
    };
    const watch = await this.kv.watch({ include: KvWatchInclude.LastValue });
    signal.addEventListener("abort", () => watch.stop(), { once: true });
    // An empty bucket delivers nothing to mark the end of its current values.
    if (values === 0) loadedNow();
    for await (const entry of watch) {
      onRevision(toRevision(entry));
      if (entry.isUpdate) loadedNow();
    }
  }

  async get(service: string): Promise<PolicyRevision | undefined> {
    const entry = await this.kv.get(service);
    return entry === null ? undefined : toRevision(entry);
  }

  /** Writes a new revision; with `expected`, only if the current revision is that one (0: none yet). */
  async put(service: string, record: PolicyRecord, expected?: number): Promise<number> {
    const data = JSON.stringify(record);
    try {
      if (expected === undefined) return await this.kv.put(service, data);
      return expected === 0 ? await this.kv.create(service, data) : await this.kv.update(service, data, expected);
    } catch (err) {
      if (isWrongLastSequence(err)) throw new RevisionConflict(`the policy of ${service} changed since revision ${expected}`);
      throw err;
    }
  }

  async remove(service: string, expected?: number): Promise<void> {
    try {
      await this.kv.delete(service, expected === undefined ? undefined : { previousSeq: expected });
    } catch (err) {
      if (isWrongLastSequence(err)) throw new RevisionConflict(`the policy of ${service} changed since revision ${expected}`);
      throw err;
    }
  }

  /** Every revision the bucket still holds for `service`, newest first. */
  async history(service: string): Promise<PolicyRevision[]> {
    const out: PolicyRevision[] = [];
    for await (const entry of await this.kv.history({ key: service })) out.push(toRevision(entry));
    return out.reverse();
  }
}

function toRevision(entry: KvEntry): PolicyRevision {
  const base = { service: entry.key, revision: entry.revision };
  if (entry.operation !== "PUT") return { ...base, record: null };
  try {
    const record = entry.json<PolicyRecord>();
    if (typeof record !== "object" || record === null || !("policy" in record)) {
      return { ...base, record: null, unreadable: "not a policy record ({policy, comment, changedAt})" };
    }
    return { ...base, record };
  } catch (err) {
    return { ...base, record: null, unreadable: `not JSON: ${(err as Error).message}` };
  }
}

/** JetStream's answer when an expected last sequence no longer holds. */
function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
