import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { UserSchema, type User } from "@switchyard/contracts";
import { BUCKET, emailKey, isKeyToken, userKey, USER_PREFIX } from "./keys.js";

export type UpdateOutcome = User | "not-found" | "email-taken" | "changed-concurrently";

/** Users in the JetStream KV bucket every implementation shares. */
export class UserStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<UserStore> {
    // Kvm.create opens the bucket when another implementation made it already.
    return new UserStore(await new Kvm(nc).create(BUCKET, { history: 1, storage: "file" }));
  }

  /** Stores a new user; resolves false, storing nothing, when its email is taken. */
  async create(user: User): Promise<boolean> {
    if (user.email !== "" && !(await this.claimEmail(user.email, user.id))) return false;
    try {
      await this.kv.put(userKey(user.id), toBinary(UserSchema, user));
    } catch (err) {
      await this.releaseEmail(user.email, user.id).catch(() => undefined);
      throw err;
    }
    return true;
  }

  async get(id: string): Promise<User | undefined> {
    return (await this.read(id))?.user;
  }

  /** Up to `limit` users with ids after `afterId`, by id, and whether more follow. */
  async list(afterId: string, limit: number): Promise<{ users: User[]; more: boolean }> {
    const ids: string[] = [];
    for await (const key of await this.kv.keys(`${USER_PREFIX}>`)) {
      const id = key.slice(USER_PREFIX.length);
      if (id > afterId) ids.push(id);
    }
    ids.sort();
    const users: User[] = [];
    let i = 0;
    for (; i < ids.length && users.length < limit; i++) {
      const user = await this.get(ids[i]!);
      // Deleted since the key listing: skip it rather than fail the page.
      if (user !== undefined) users.push(user);
    }
    return { users, more: i < ids.length };
  }

  /**
   * Writes `next` over the stored user if it has not changed since it was read: a new email is
   * claimed first, the old one released after.
   */
  async update(id: string, change: (current: User) => User): Promise<UpdateOutcome> {
    const stored = await this.read(id);
    if (stored === undefined) return "not-found";
    const next = change(stored.user);
    const newClaim = next.email !== "" && !sameEmail(next.email, stored.user.email);
    if (newClaim && !(await this.claimEmail(next.email, id))) return "email-taken";
    try {
      await this.kv.update(userKey(id), toBinary(UserSchema, next), stored.revision);
    } catch (err) {
      if (newClaim) await this.releaseEmail(next.email, id);
      if (isWrongLastSequence(err)) return "changed-concurrently";
      throw err;
    }
    if (!sameEmail(next.email, stored.user.email)) await this.releaseEmail(stored.user.email, id);
    return next;
  }

  /**
   * Deletes a user if it does not change meanwhile (a few tries), then frees its email.
   * Resolves false when there is no such user.
   */
  async delete(id: string): Promise<boolean | "changed-concurrently"> {
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      const stored = await this.read(id);
      if (stored === undefined) return false;
      try {
        await this.kv.delete(userKey(id), { previousSeq: stored.revision });
      } catch (err) {
        if (isWrongLastSequence(err)) continue;
        throw err;
      }
      await this.releaseEmail(stored.user.email, id);
      return true;
    }
    return "changed-concurrently";
  }

  private async read(id: string): Promise<{ user: User; revision: number } | undefined> {
    // Ids come from URLs; one that is not a single KV key token was never stored.
    if (!isKeyToken(id)) return undefined;
    const entry = await this.kv.get(userKey(id));
    if (entry === null || entry.operation !== "PUT") return undefined;
    return { user: fromBinary(UserSchema, entry.value), revision: entry.revision };
  }

  /**
   * KV create is atomic: exactly one of concurrent claims of an email wins. A claim this user
   * holds already (left by an interrupted change) is its own, not taken.
   */
  private async claimEmail(email: string, id: string): Promise<boolean> {
    try {
      await this.kv.create(emailKey(email), id);
      return true;
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      return (await this.claimOwner(email))?.owner === id;
    }
  }

  /** Frees an email's claim, only while it is still this user's. */
  private async releaseEmail(email: string, id: string): Promise<void> {
    if (email === "") return;
    const claim = await this.claimOwner(email);
    if (claim?.owner !== id) return;
    try {
      await this.kv.delete(emailKey(email), { previousSeq: claim.revision });
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
    }
  }

  private async claimOwner(email: string): Promise<{ owner: string; revision: number } | undefined> {
    const entry = await this.kv.get(emailKey(email));
    return entry === null || entry.operation !== "PUT" ? undefined : { owner: entry.string(), revision: entry.revision };
  }
}

const DELETE_ATTEMPTS = 3;

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
