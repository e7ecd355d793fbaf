import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { PingRequestSchema, PingResponseSchema, UserSchema, type User } from "@switchyard/contracts";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { pingShowsInstanceFromEnv, startUsersService } from "../src/index.js";
import { emailKey, userKey } from "../src/keys.js";
import { newUserId } from "../src/new-user-id.js";
import { UserStore } from "../src/user-store.js";

const quiet = { info: () => undefined, error: () => undefined };

/** The bucket, with some of its methods replaced (the others act on the bucket itself). */
function hooked(kv: KV, hooks: Partial<Pick<KV, "put" | "delete">>): KV {
  return new Proxy(kv, { get: (target, name) => (hooks as Record<PropertyKey, unknown>)[name] ?? Reflect.get(target, name) });
}

/** A guard that lets `allowed` writes through, then throws as a passed deadline does. */
function deadlineAfter(allowed: number): { guard: () => void; calls: () => number } {
  let calls = 0;
  return {
    guard: () => {
      calls++;
      if (calls > allowed) throw Object.assign(new Error("deadline exceeded"), { name: "ServiceError", code: "DEADLINE_EXCEEDED" });
    },
    calls: () => calls,
  };
}

describe("users-ts", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let store: UserStore;
  let kv: KV;

  before(async () => {
    ns = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: ns.url });
    store = await UserStore.open(nc);
    kv = await new Kvm(nc).open("users");
  });
  after(async () => {
    await nc.close();
    await ns.stop();
  });

  const user = (id: string, email = ""): User => create(UserSchema, { id, firstName: "Ada", lastName: "Lovelace", email });
  const stored = async (id: string): Promise<User | undefined> => {
    const entry = await kv.get(userKey(id));
    return entry === null || entry.operation !== "PUT" ? undefined : fromBinary(UserSchema, entry.value);
  };
  const claim = async (email: string): Promise<string | undefined> => {
    const entry = await kv.get(emailKey(email));
    return entry === null || entry.operation !== "PUT" ? undefined : entry.string();
  };

  describe("the store stops before a write past the deadline, and undoes what it wrote", () => {
    it("create: stopped before the email claim, nothing is written", async () => {
      const { guard, calls } = deadlineAfter(0);
      await assert.rejects(store.create(user("c1", "c1@example.com"), guard), { message: "deadline exceeded" });
      assert.equal(calls(), 1);
      assert.equal(await claim("c1@example.com"), undefined);
      assert.equal(await stored("c1"), undefined);
    });

    it("create: stopped after the claim, before the user's put, the claim is released", async () => {
      const { guard, calls } = deadlineAfter(1);
      await assert.rejects(store.create(user("c2", "c2@example.com"), guard), { message: "deadline exceeded" });
      assert.equal(calls(), 2);
      assert.equal(await claim("c2@example.com"), undefined, "the claim is released");
      assert.equal(await stored("c2"), undefined);
    });

    it("update: stopped after the new claim, the user is unchanged and the claim released", async () => {
      assert.equal(await store.create(user("u1", "old@example.com")), true);
      const { guard } = deadlineAfter(1);
      await assert.rejects(store.update("u1", (current) => ({ ...current, email: "new@example.com" }), guard), { message: "deadline exceeded" });
      assert.equal((await stored("u1"))?.email, "old@example.com");
      assert.equal(await claim("new@example.com"), undefined);
      assert.equal(await claim("old@example.com"), "u1");
    });

    it("update: once the user is written, the old claim is freed unguarded", async () => {
      const { guard, calls } = deadlineAfter(2);
      const outcome = await store.update("u1", (current) => ({ ...current, email: "newer@example.com" }), guard);
      assert.equal(typeof outcome === "object" && outcome.email, "newer@example.com");
      assert.equal(calls(), 2, "the claim and the user's write; freeing the old claim finishes the change");
      assert.equal(await claim("old@example.com"), undefined);
    });

    it("delete: stopped before the delete, the user stays", async () => {
      const { guard } = deadlineAfter(0);
      await assert.rejects(store.delete("u1", guard), { message: "deadline exceeded" });
      assert.equal((await stored("u1"))?.id, "u1");
    });

    it("list: stopped between reads", async () => {
      const { guard } = deadlineAfter(0);
      await assert.rejects(store.list("", 10, guard), { message: "deadline exceeded" });
    });
  });

  describe("createOnce: at most one user per idempotency key", () => {
    let n = 0;
    /** A user whose id derives from a fresh key, with an email of its own. */
    const keyed = (): User => {
      n++;
      return user(newUserId(`${n.toString(16).padStart(8, "0")}${"e".repeat(56)}`), `once${n}@example.com`);
    };

    it("derives a UUID v8 from SHA-256 of the key; without one, a random UUID v4", () => {
      assert.equal(newUserId("0123456789abcdef".repeat(4)), "a8ae6e6e-e929-8bea-bafc-fc5258c8ccd6");
      assert.match(newUserId(undefined), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("a second attempt is replayed: one user, one claim", async () => {
      const u = keyed();
      assert.equal(await store.createOnce(u), "created");
      assert.equal(await store.createOnce(u), "replayed");
      assert.deepEqual(await stored(u.id), u);
      assert.equal(await claim(u.email), u.id);
    });

    it("concurrent attempts store one user, and all succeed", async () => {
      const u = keyed();
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => store.createOnce(u)));
      assert.deepEqual(outcomes.toSorted(), ["created", "replayed", "replayed", "replayed", "replayed"]);
      assert.equal(await claim(u.email), u.id);
    });

    it("a user deleted since is not made again, nor its email claimed", async () => {
      const u = keyed();
      assert.equal(await store.createOnce(u), "created");
      assert.equal(await store.delete(u.id), true);
      assert.equal(await store.createOnce(u), "replayed");
      assert.equal(await stored(u.id), undefined);
      assert.equal(await claim(u.email), undefined);
    });

    it("an email another user holds is email-taken, and nothing is stored", async () => {
      const u = keyed();
      await kv.create(emailKey(u.email), "someone-else");
      assert.equal(await store.createOnce(u), "email-taken");
      assert.equal(await stored(u.id), undefined);
      assert.equal(await claim(u.email), "someone-else");
    });

    it("stopped before the put, with no other attempt, the claim it made is released", async () => {
      const u = keyed();
      const { guard } = deadlineAfter(1);
      await assert.rejects(store.createOnce(u, guard), { message: "deadline exceeded" });
      assert.equal(await stored(u.id), undefined);
      assert.equal(await claim(u.email), undefined);
    });

    describe("racing another attempt of the same key", () => {
      const put = (u: User) => kv.put(userKey(u.id), toBinary(UserSchema, u));

      it("finding the user stored by the other, it keeps the claim it made", async () => {
        const u = keyed();
        // The other attempt's put lands just before this one's.
        const racing = new UserStore(
          hooked(kv, {
            put: async (key, data, opts) => {
              await put(u);
              return kv.put(key, data, opts);
            },
          }),
        );
        assert.equal(await racing.createOnce(u), "replayed");
        assert.equal(await claim(u.email), u.id, "the stored user keeps its claim");
      });

      it("undoing its claim while the other stores the user, it claims the email again", async () => {
        const u = keyed();
        // The other attempt, which found the claim its own, puts the user right after the claim is freed.
        const racing = new UserStore(
          hooked(kv, {
            delete: async (key, opts) => {
              await kv.delete(key, opts);
              await put(u);
            },
          }),
        );
        await assert.rejects(racing.createOnce(u, deadlineAfter(1).guard), { message: "deadline exceeded" });
        assert.deepEqual(await stored(u.id), u);
        assert.equal(await claim(u.email), u.id, "the stored user has its claim back");
      });

      it("storing the user over the other's claim, undone meanwhile, it claims the email again", async () => {
        const u = keyed();
        await kv.create(emailKey(u.email), u.id);
        // The other attempt, which made the claim, undoes it just before this one's put.
        const racing = new UserStore(
          hooked(kv, {
            put: async (key, data, opts) => {
              await kv.delete(emailKey(u.email));
              return kv.put(key, data, opts);
            },
          }),
        );
        assert.equal(await racing.createOnce(u), "created");
        assert.equal(await claim(u.email), u.id);
      });
    });
  });

  describe("Ping's instance", () => {
    const ping = async (svc: RunningService, on: NatsConnection): Promise<string | undefined> => {
      const subject = `switchyard.deployment.${svc.deployment}.users.v1.UserService.Ping`;
      const reply = await on.request(subject, toBinary(PingRequestSchema, create(PingRequestSchema)), { timeout: 5_000 });
      return fromBinary(PingResponseSchema, reply.data).servedBy?.instance;
    };

    it("names the instance by default, and nothing with pingShowsInstance false", async () => {
      const shown = await startUsersService(nc, quiet, { deployment: "ping-shown" });
      const hidden = await startUsersService(nc, quiet, { deployment: "ping-hidden", pingShowsInstance: false });
      try {
        assert.equal(await ping(shown, nc), shown.id);
        assert.equal(await ping(hidden, nc), "");
      } finally {
        await shown.stop();
        await hidden.stop();
      }
    });

    it("PING_SHOWS_INSTANCE: true unless false; anything else is a ConfigError naming it", () => {
      for (const value of [undefined, "", "true"]) assert.equal(pingShowsInstanceFromEnv({ PING_SHOWS_INSTANCE: value }), true);
      assert.equal(pingShowsInstanceFromEnv({ PING_SHOWS_INSTANCE: "false" }), false);
      assert.throws(() => pingShowsInstanceFromEnv({ PING_SHOWS_INSTANCE: "no" }), {
        name: "ConfigError",
        message: 'PING_SHOWS_INSTANCE: "no" is neither true nor false',
      });
    });
  });
});
