import { setTimeout as sleep } from "node:timers/promises";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { ItemSchema, type Item } from "@switchyard/contracts";
import { withKvReplicas } from "@switchyard/protocol";
import { ServiceError } from "@switchyard/service";
import { BUCKET, itemKey, itemKeyFilter, itemName, nameOfKey, type ItemName } from "./names.js";

/** How often a read-modify-write is tried when other writers (other instances) get in between. */
const WRITE_ATTEMPTS = 10;

/**
 * Called right before each write (HandlerContext.checkDeadline): it throws to stop, past the
 * request's deadline, before anything is written. Each change is one write, so it is made or not.
 */
export type Guard = () => void;
const unguarded = (): void => undefined;

/**
 * Items in the JetStream KV bucket `inventory` (history 1, file storage): the key
 * `item.<warehouse>.<item>` holds the inventory.v1.Item, binary. Every change is a compare-and-set
 * on the revision read, so concurrent instances never lose each other's writes.
 */
export class ItemStore {
  /** Writes to one key queue up within this instance; across instances the revision check decides. */
  private readonly queues = new Map<string, Promise<unknown>>();

  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<ItemStore> {
    // Kvm.create opens the bucket when another instance made it already.
    return new ItemStore(await withKvReplicas(nc, (replicas) => new Kvm(nc).create(BUCKET, { history: 1, storage: "file", replicas })));
  }

  /** Stores a new item; resolves false, storing nothing, when the name is taken. */
  async create(name: ItemName, item: Item, beforeWrite: Guard = unguarded): Promise<boolean> {
    beforeWrite();
    try {
      // KV create is atomic, and succeeds over a deleted key.
      await this.kv.create(itemKey(name), toBinary(ItemSchema, item));
      return true;
    } catch (err) {
      if (isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  async get(name: ItemName): Promise<Item | undefined> {
    return (await this.read(name))?.item;
  }

  /**
   * Up to `limit` items that `accept` lets through, ordered by name, after the name `after`, and
   * whether more such items follow.
   */
  async list(
    warehouse: string | undefined,
    after: ItemName | undefined,
    limit: number,
    accept: (item: Item) => boolean,
  ): Promise<{ items: Item[]; more: boolean }> {
    const afterName = after === undefined ? "" : itemName(after);
    const names: string[] = [];
    for await (const key of await this.kv.keys(itemKeyFilter(warehouse))) {
      const name = nameOfKey(key);
      if (name !== undefined && itemName(name) > afterName) names.push(itemName(name));
    }
    names.sort();
    const items: Item[] = [];
    for (const text of names) {
      const [, warehouse, , item] = text.split("/") as [string, string, string, string];
      const found = await this.get({ warehouse, item });
      // Deleted since the key listing, or filtered out: skip it.
      if (found === undefined || !accept(found)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(found);
    }
    return { items, more: false };
  }

  /**
   * Applies `change` to the stored item and writes the result if nothing changed in between,
   * reading again and retrying otherwise. Resolves undefined when there is no such item. `change`
   * may throw a ServiceError, which is passed on.
   */
  update(name: ItemName, change: (current: Item) => Item, beforeWrite: Guard = unguarded): Promise<Item | undefined> {
    return this.serialized(name, async () => {
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const stored = await this.read(name);
        if (stored === undefined) return undefined;
        const next = change(stored.item);
        beforeWrite();
        try {
          await this.kv.update(itemKey(name), toBinary(ItemSchema, next), stored.revision);
          return next;
        } catch (err) {
          if (!isWrongLastSequence(err)) throw err;
          await backOff(attempt);
        }
      }
      throw changedConcurrently(name);
    });
  }

  /**
   * Deletes the item if `check` lets it and nothing changed since it was read; resolves false when
   * there is no such item.
   */
  delete(name: ItemName, check: (current: Item) => void, beforeWrite: Guard = unguarded): Promise<boolean> {
    return this.serialized(name, async () => {
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const stored = await this.read(name);
        if (stored === undefined) return false;
        check(stored.item);
        beforeWrite();
        try {
          await this.kv.delete(itemKey(name), { previousSeq: stored.revision });
          return true;
        } catch (err) {
          if (!isWrongLastSequence(err)) throw err;
          await backOff(attempt);
        }
      }
      throw changedConcurrently(name);
    });
  }

  /** Runs `write` after the writes to the same item queued before it in this instance. */
  private serialized<T>(name: ItemName, write: () => Promise<T>): Promise<T> {
    const key = itemKey(name);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const result = previous.then(write, write);
    const tail = result.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return result;
  }

  private async read(name: ItemName): Promise<{ item: Item; revision: number } | undefined> {
    const entry = await this.kv.get(itemKey(name));
    if (entry === null || entry.operation !== "PUT") return undefined;
    return { item: fromBinary(ItemSchema, entry.value), revision: entry.revision };
  }
}

/** A short, growing, jittered pause, so competing instances do not collide again in lockstep. */
function backOff(attempt: number): Promise<void> {
  return sleep(Math.random() * 5 * (attempt + 1));
}

function changedConcurrently(name: ItemName): ServiceError {
  return new ServiceError("ABORTED", `item ${itemName(name)} changed concurrently; retry`);
}

function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
