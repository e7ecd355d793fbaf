import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { UserSchema, type User } from "@switchyard/contracts";
import { withKvReplicas } from "@switchyard/protocol";
import { BUCKET, emailKey, isUserId, userKey, USER_PREFIX } from "./keys.js";

export type UpdateOutcome = User | "not-found" | "email-taken" | "changed-concurrently";

/**
 * Called right before each write that leads up to a change, and between the reads of a listing
 * (HandlerContext.checkDeadline): it throws to stop, past the request's deadline, and the store
 * undoes what it wrote for the change. The write that makes the change is the last one guarded:
 * those that finish it (freeing an old email claim) and undo writes are not, so a change is made
 * whole or not at all.
 */
export type Guard = () => void;

const unguarded = (): void => undefined;

/** Users in the JetStream KV bucket every implementation shares. */
export class UserStore {
  /** The store over the bucket, opened already (open() opens it, creating it if missing). */
  constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<UserStore> {
    // Kvm.create opens the bucket when another implementation made it already.
    return new UserStore(await withKvReplicas(nc, (replicas) => new Kvm(nc).create(BUCKET, { history: 1, storage: "file", replicas })));
  }

  /** Stores a new user; resolves false, storing nothing, when its email is taken. */
  async create(user: User, beforeWrite: Guard = unguarded): Promise<boolean> {
    if (user.email !== "") {
      beforeWrite();
      if ((await this.claimEmail(user.email, user.id)) === "taken") return false;
    }
    try {
      beforeWrite();
      await this.kv.put(userKey(user.id), toBinary(UserSchema, user));
    } catch (err) {
      await this.releaseEmail(user.email, user.id).catch(() => undefined);
      throw err;
    }
    return true;
  }

  /**
   * Stores a new user whose id is derived from an idempotency key, at most once: several attempts
   * of one operation (retries, even at once, in any implementation) store one user, and all of
   * them resolve "created" or "replayed". The user's key is written with a put that expects no
   * revision of it, so exactly one attempt stores it; an attempt that finds it written, holding the
   * user or a delete marker, resolves "replayed" (a user deleted since is not made again). The
   * email claim names the id, so the attempts share it: one makes it, the others find it theirs.
   * Only the attempt that made it undoes it (past the deadline, a failed put, the user found
   * written), and keeps or claims it again when the user is stored with that email; an attempt
   * that stored the user over a claim it did not make claims the email again after its put. Of an
   * undo and a put that race, the later one sees the other's write, so the stored user keeps its
   * claim. "email-taken" when another user holds the email, storing nothing.
   */
  async createOnce(user: User, beforeWrite: Guard = unguarded): Promise<"created" | "replayed" | "email-taken"> {
    const key = userKey(user.id);
    if (await this.written(key)) return "replayed";
    let claim: Claim | undefined;
    if (user.email !== "") {
      beforeWrite();
      claim = await this.claimEmail(user.email, user.id);
      if (claim === "taken") return (await this.written(key)) ? "replayed" : "email-taken";
    }
    try {
      beforeWrite();
      await this.kv.put(key, toBinary(UserSchema, user), { previousSeq: 0 });
    } catch (err) {
      if (!isWrongLastSequence(err)) {
        if (claim === "claimed") await this.undoSharedClaim(user).catch(() => undefined);
        throw err;
      }
      if (claim === "claimed") await this.undoSharedClaim(user);
      return "replayed";
    }
    if (claim === "owned") await this.claimEmail(user.email, user.id);
    return "created";
  }

  async get(id: string): Promise<User | undefined> {
    return (await this.read(id))?.user;
  }

  /** Up to `limit` users with ids after `afterId`, by id, and whether more follow. */
  async list(afterId: string, limit: number, beforeRead: Guard = unguarded): Promise<{ users: User[]; more: boolean }> {
    const ids: string[] = [];
    for await (const key of await this.kv.keys(`${USER_PREFIX}>`)) {
      const id = key.slice(USER_PREFIX.length);
      if (id > afterId) ids.push(id);
    }
    ids.sort();
    const users: User[] = [];
    let i = 0;
    for (; i < ids.length && users.length < limit; i++) {
      beforeRead();
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
  async update(id: string, change: (current: User) => User, beforeWrite: Guard = unguarded): Promise<UpdateOutcome> {
    const stored = await this.read(id);
    if (stored === undefined) return "not-found";
    const next = change(stored.user);
    const newClaim = next.email !== "" && !sameEmail(next.email, stored.user.email);
    if (newClaim) {
      beforeWrite();
      if ((await this.claimEmail(next.email, id)) === "taken") return "email-taken";
    }
    try {
      beforeWrite();
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
  async delete(id: string, beforeWrite: Guard = unguarded): Promise<boolean | "changed-concurrently"> {
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      const stored = await this.read(id);
      if (stored === undefined) return false;
      beforeWrite();
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
    // Requests' ids are checked before they get here; one that is not an id was never stored.
    if (!isUserId(id)) return undefined;
    const entry = await this.kv.get(userKey(id));
    if (entry === null || entry.operation !== "PUT") return undefined;
    return { user: fromBinary(UserSchema, entry.value), revision: entry.revision };
  }

  /**
   * KV create is atomic: exactly one of concurrent claims of an email wins. A claim this user
   * holds already (left by an interrupted change, or made by another attempt of the same
   * create) is its own: "owned", not "taken".
   */
  private async claimEmail(email: string, id: string): Promise<Claim> {
    try {
      await this.kv.create(emailKey(email), id);
      return "claimed";
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      return (await this.claimOwner(email))?.owner === id ? "owned" : "taken";
    }
  }

  /**
   * Undoes the claim a createOnce attempt made, unless another attempt stored the user with the
   * email; and if one stored it while the claim was being freed, claims the email again.
   */
  private async undoSharedClaim(user: User): Promise<void> {
    if (await this.storedWithEmail(user)) return;
    await this.releaseEmail(user.email, user.id);
    if (await this.storedWithEmail(user)) await this.claimEmail(user.email, user.id);
  }

  /** Whether the user is stored, with this user's email (in any case). */
  private async storedWithEmail(user: User): Promise<boolean> {
    const stored = await this.read(user.id);
    return stored !== undefined && sameEmail(stored.user.email, user.email);
  }

  /** Whether the key was ever written: it holds a value or a delete marker (no key here is purged). */
  private async written(key: string): Promise<boolean> {
    return (await this.kv.get(key)) !== null;
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

/** How a claim of an email went: made now, held by the same id already, or held by another user. */
type Claim = "claimed" | "owned" | "taken";

/** The same claim: emails are told apart as their uniqueness keys are (services/README.md, text rules). */
function sameEmail(a: string, b: string): boolean {
  return emailKey(a) === emailKey(b);
}

function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
