import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { StreamUsersRequestSchema, StreamUsersResponseSchema, UserSchema, UserService, type User } from "@switchyard/contracts";
import { Headers, STREAM_WINDOW, StreamHeaders, methodSubject } from "@switchyard/protocol";
import { isStreamEnd, StreamCall } from "@switchyard/testing";
import { expectError } from "../expect.js";
import type { RpcReply } from "../rpc.js";
import { DEPLOYMENT, idRule, invalidIds, newIdNamespace, storeUsers, type IdNamespace } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const SUBJECT = methodSubject(UserService.method.streamUsers);
/** Long enough for any message of a stream to arrive; quiet this long means none is coming. */
const WAIT_MS = 5_000;
const QUIET_MS = 500;

/** One StreamUsers call as its caller sees it (services/README.md, Streaming). */
class Stream extends StreamCall {
  constructor(nc: NatsConnection, afterId: string, headers: Record<string, string> = {}) {
    super(nc, SUBJECT, toBinary(StreamUsersRequestSchema, create(StreamUsersRequestSchema, { afterId })), headers);
  }

  override receive(count: number, ms = WAIT_MS): Promise<Msg[]> {
    return super.receive(count, ms);
  }

  /** The users up to the end of the stream, and the end. */
  async users(): Promise<{ users: User[]; end: Msg }> {
    const messages = await this.toEnd(WAIT_MS);
    return { users: messages.slice(0, -1).map(userOf), end: messages.at(-1)! };
  }

  /** Waits QUIET_MS and asserts that no message came meanwhile. */
  async assertQuiet(what: string): Promise<void> {
    const count = this.messages.length;
    await sleep(QUIET_MS);
    assert.equal(this.messages.length, count, what);
  }
}

function userOf(msg: Msg): User {
  const user = fromBinary(StreamUsersResponseSchema, msg.data).user;
  assert.ok(user !== undefined, "each message of the stream holds a user");
  return user;
}

/** The end of a stream, read as the conformance suite reads any reply. */
function asReply(msg: Msg): RpcReply {
  const header = (name: string) => (msg.headers?.has(name) ? msg.headers.get(name) : undefined);
  return {
    data: msg.data,
    status: header(Headers.serviceErrorCode),
    description: header(Headers.serviceError),
    reason: header(Headers.errorReason),
    field: header(Headers.errorField),
    deployment: header(Headers.deployment),
  };
}

/** Stores `count` users of a fresh namespace, numbered from 1, last first: the order of the store must not matter. */
async function storeNumbered(ctx: UsersSuiteContext, count: number): Promise<{ ns: IdNamespace; users: User[] }> {
  const ns = newIdNamespace();
  const users = Array.from({ length: count }, (_, i) => create(UserSchema, { id: ns.id(i + 1), firstName: `Streamed ${i + 1}`, lastName: "Stream" }));
  await storeUsers(await ctx.kv(), [...users].reverse());
  return { ns, users };
}

export function streamUsersTests(ctx: UsersSuiteContext): void {
  describe("StreamUsers", () => {
    it("streams the users after after_id by id, numbered from 1, then an end that counts them", async () => {
      const { ns, users } = await storeNumbered(ctx, 5);
      const stream = new Stream(ctx.nc, ns.prefix);
      const { users: got, end } = await stream.users();
      stream.close();
      assert.deepEqual(got.map((u) => u.id), users.map((u) => u.id));
      assert.deepEqual(got.map((u) => u.firstName), users.map((u) => u.firstName));
      assert.deepEqual(stream.messages.slice(0, 5).map((m) => m.headers?.get(StreamHeaders.seq)), ["1", "2", "3", "4", "5"]);
      assert.equal(end.headers?.get(StreamHeaders.end), "5");
      assert.equal(end.data.length, 0, "the end has an empty body");
      assert.equal(end.headers?.has(Headers.serviceErrorCode), false, "a successful end carries no error");
      for (const msg of stream.messages) assert.equal(msg.headers?.get(Headers.deployment), DEPLOYMENT);
    });

    it("streams past more users than a ListUsers page holds", async () => {
      const { ns, users } = await storeNumbered(ctx, 120);
      const stream = new Stream(ctx.nc, ns.prefix);
      const { users: got } = await stream.users();
      stream.close();
      assert.deepEqual(got.map((u) => u.id), users.map((u) => u.id));
    });

    it("starts after an id no user has", async () => {
      const { ns, users } = await storeNumbered(ctx, 3);
      const stream = new Stream(ctx.nc, `${ns.id(1)}0`);
      const { users: got } = await stream.users();
      stream.close();
      assert.deepEqual(got.map((u) => u.id), users.slice(1).map((u) => u.id));
    });

    describe("refuses, before any message, with INVALID_ARGUMENT on after_id", () => {
      for (const [what, id] of invalidIds) {
        it(what, async () => {
          const stream = new Stream(ctx.nc, id);
          const [end] = await stream.receive(1);
          stream.close();
          assert.ok(isStreamEnd(end!), "the first message is the end");
          assert.equal(end!.headers?.get(StreamHeaders.end), "0");
          assert.ok(end!.headers?.get(StreamHeaders.control), "the first message names the control subject, even the end");
          expectError(asReply(end!), { reason: "INVALID_ARGUMENT", field: "after_id", description: idRule("after_id") });
        });
      }
    });

    it(`sends no more than ${STREAM_WINDOW} messages before credit, and more as the caller acks`, async () => {
      const { ns, users } = await storeNumbered(ctx, STREAM_WINDOW + 8);
      const stream = new Stream(ctx.nc, ns.prefix);
      await stream.receive(STREAM_WINDOW);
      await stream.assertQuiet(`the service waits for credit after ${STREAM_WINDOW} messages`);
      stream.ack(4);
      await stream.receive(STREAM_WINDOW + 4);
      await stream.assertQuiet("an ack of 4 is credit for 4 more messages, no more");
      const { users: got, end } = await stream.users();
      stream.close();
      assert.deepEqual(got.map((u) => u.id), users.map((u) => u.id));
      assert.equal(end.headers?.get(StreamHeaders.end), String(users.length));
    });

    it("stops at a cancel: nothing more is sent, not even the end", async () => {
      const { ns } = await storeNumbered(ctx, STREAM_WINDOW + 8);
      const stream = new Stream(ctx.nc, ns.prefix);
      await stream.receive(STREAM_WINDOW);
      stream.cancel();
      stream.ack(STREAM_WINDOW + 8);
      await stream.assertQuiet("no message after the cancel, though the ack that followed granted credit");
      stream.close();
      assert.equal(stream.messages.length, STREAM_WINDOW);
    });

    it("ends with DEADLINE_EXCEEDED mid-stream when the deadline comes while it waits for credit", async () => {
      const { ns } = await storeNumbered(ctx, STREAM_WINDOW + 8);
      const started = Date.now();
      const stream = new Stream(ctx.nc, ns.prefix, { [Headers.timeoutMs]: "500" });
      const messages = await stream.receive(STREAM_WINDOW + 1);
      stream.close();
      const end = messages[STREAM_WINDOW]!;
      assert.ok(isStreamEnd(end), "the message after the window is the end");
      assert.equal(end.headers?.get(StreamHeaders.end), String(STREAM_WINDOW));
      expectError(asReply(end), { reason: "DEADLINE_EXCEEDED", field: undefined });
      assert.ok(Date.now() - started < 3_000, `the stream ended ${Date.now() - started} ms after it began, with a deadline of 500 ms`);
    });
  });
}
