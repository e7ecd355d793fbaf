import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { UserSchema, type User } from "@switchyard/contracts";
import { BUCKET, emailKey, userKey } from "./keys.js";

/** Users in the JetStream KV bucket every implementation shares. */
export class UserStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection): Promise<UserStore> {
    // Kvm.create opens the bucket when another implementation made it already.
    return new UserStore(await new Kvm(nc).create(BUCKET, { history: 1, storage: "file" }));
  }

  /** Stores a new user; resolves false, storing nothing, when its email is taken. */
  async create(user: User): Promise<boolean> {
    if (user.email !== "") {
      try {
        await this.kv.create(emailKey(user.email), user.id);
      } catch (err) {
        if (isWrongLastSequence(err)) return false;
        throw err;
      }
    }
    try {
      await this.kv.put(userKey(user.id), toBinary(UserSchema, user));
    } catch (err) {
      if (user.email !== "") await this.kv.delete(emailKey(user.email)).catch(() => undefined);
      throw err;
    }
    return true;
  }

  async get(id: string): Promise<User | undefined> {
    // Ids come from URLs; one that is not a single KV key token was never stored.
    if (!KEY_TOKEN.test(id)) return undefined;
    const entry = await this.kv.get(userKey(id));
    if (entry === null || entry.operation !== "PUT") return undefined;
    return fromBinary(UserSchema, entry.value);
  }
}

const KEY_TOKEN = /^[-_=A-Za-z0-9]+$/;

function isWrongLastSequence(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
