import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from "@nats-io/transport-node";
import {
  DeleteUserRequestSchema,
  GetUserRequestSchema,
  GetUserResponseSchema,
  ListUsersRequestSchema,
  PingRequestSchema,
  UpdateUserRequestSchema,
  UserService,
} from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { serve, type HandlerContext, type RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";

/** What the handlers saw of their last request, read once it has been answered. */
interface Seen {
  context: HandlerContext;
  deadline: number | undefined;
  signal: AbortSignal;
  auth: HandlerContext["auth"];
  idempotencyKey: string | undefined;
  metadata: string | undefined;
}

describe("the handler context: deadline, signal, auth, idempotency key", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let svc: RunningService;
  const errors: string[] = [];
  let seen: Seen | undefined;
  let started = 0;
  /** GetUser and UpdateUser wait this long before they answer (the one a no-side-effect RPC, the other not). */
  let delayMs = 0;
  /** ListUsers waits until the gate opens, to hold requests in flight. */
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));

  /** What the last handler saw. */
  const last = (): Seen => seen ?? assert.fail("no handler ran");
  const look = (context: HandlerContext): void => {
    started++;
    seen = {
      context,
      deadline: context.deadline,
      signal: context.signal,
      auth: context.auth,
      idempotencyKey: context.idempotencyKey,
      metadata: context.metadata("Auth-Subject"),
    };
  };

  before(async () => {
    ns = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: ns.url });
    svc = await serve({
      nc,
      service: UserService,
      name: "context-test",
      version: "0.0.1",
      logger: { info: () => undefined, error: (message) => void errors.push(message) },
      implementation: {
        ping: (_request, context) => {
          look(context);
          return { message: "pong" };
        },
        getUser: async (request, context) => {
          look(context);
          await sleep(delayMs);
          return { user: { id: request.id } };
        },
        updateUser: async (request, context) => {
          look(context);
          await sleep(delayMs);
          return { user: { id: request.user?.id ?? "" } };
        },
        // Stops when asked to write past the deadline.
        deleteUser: async (_request, context) => {
          look(context);
          await sleep(delayMs);
          context.checkDeadline();
          return {};
        },
        listUsers: async () => {
          await gate;
          return {};
        },
      },
    });
  });
  after(async () => {
    await nc.close();
    await ns.stop();
  });
  beforeEach(() => {
    seen = undefined;
    started = 0;
    delayMs = 0;
    errors.length = 0;
  });

  async function call<I extends DescMessage>(rpc: string, schema: I, message: MessageInitShape<I>, headers: Record<string, string> = {}): Promise<Msg> {
    const h = natsHeaders();
    for (const [name, value] of Object.entries(headers)) h.set(name, value);
    return nc.request(`users.v1.UserService.${rpc}`, toBinary(schema, create(schema, message)), { headers: h, timeout: 5_000 });
  }
  const ping = (headers?: Record<string, string>) => call("Ping", PingRequestSchema, {}, headers);
  const reason = (reply: Msg) => reply.headers?.get(Headers.errorReason) || undefined;

  it("names the RPC, with its schemas, and this instance", async () => {
    await call("GetUser", GetUserRequestSchema, { id: "in-time" });
    assert.equal(last().context.rpc, UserService.method.getUser);
    assert.equal(last().context.rpc.input, GetUserRequestSchema);
    assert.equal(last().context.instanceId, svc.id);
  });

  describe("deadline", () => {
    it("is the receipt time plus Switchyard-Timeout-Ms, in epoch ms", async () => {
      const sent = Date.now();
      await ping({ [Headers.timeoutMs]: "5000" });
      const answered = Date.now();
      const deadline = last().deadline ?? assert.fail("a deadline");
      assert.ok(deadline >= sent + 5000 && deadline <= answered + 5000, `${deadline} within [${sent + 5000}, ${answered + 5000}]`);
      assert.equal(last().context.expired, false);
    });

    for (const value of [undefined, "", "abc", "-5", "1.5", "1 0", "1e3", "+10", "0x10", "12345678901"]) {
      it(`is none for Switchyard-Timeout-Ms ${JSON.stringify(value)}, and nothing is logged`, async () => {
        const reply = await ping(value === undefined ? {} : { [Headers.timeoutMs]: value });
        assert.equal(reason(reply), undefined);
        assert.equal(last().deadline, undefined);
        assert.equal(last().signal.aborted, false);
        assert.equal(last().context.expired, false);
        assert.doesNotThrow(() => last().context.checkDeadline());
        assert.deepEqual(errors, []);
      });
    }

    it("already passed on receipt (0 ms): DEADLINE_EXCEEDED, and the handler does not run", async () => {
      for (const reply of [
        await ping({ [Headers.timeoutMs]: "0" }),
        await call("UpdateUser", UpdateUserRequestSchema, { user: { id: "u1" }, updateMask: { paths: ["email"] } }, { [Headers.timeoutMs]: "0" }),
      ]) {
        assert.equal(reason(reply), "DEADLINE_EXCEEDED");
        assert.equal(reply.headers?.get(Headers.serviceErrorCode), "504");
        assert.equal(reply.headers?.get(Headers.deployment), "context-test-ts");
      }
      assert.equal(started, 0, "no handler ran");
    });

    it("the signal aborts at the deadline, with DEADLINE_EXCEEDED as its reason", async () => {
      delayMs = 300;
      const reply = call("UpdateUser", UpdateUserRequestSchema, { user: { id: "u2" }, updateMask: { paths: ["email"] } }, { [Headers.timeoutMs]: "100" });
      await sleep(50);
      assert.equal(last().signal.aborted, false, "not yet");
      await sleep(150);
      assert.equal(last().signal.aborted, true, "aborted by now");
      assert.equal((last().signal.reason as { code?: string }).code, "DEADLINE_EXCEEDED");
      assert.equal(last().context.expired, true);
      await reply;
    });

    it("the signal's timer is cleared when the handler ends", async () => {
      await ping({ [Headers.timeoutMs]: "100" });
      await sleep(200);
      assert.equal(last().signal.aborted, false, "the handler ended before its deadline: its signal never aborts");
    });

    it("a late reply of an RPC without side effects is DEADLINE_EXCEEDED", async () => {
      delayMs = 150;
      const reply = await call("GetUser", GetUserRequestSchema, { id: "late" }, { [Headers.timeoutMs]: "50" });
      assert.equal(reason(reply), "DEADLINE_EXCEEDED");
      const inTime = await call("GetUser", GetUserRequestSchema, { id: "in-time" }, { [Headers.timeoutMs]: "2000" });
      assert.equal(fromBinary(GetUserResponseSchema, inTime.data).user?.id, "in-time");
    });

    it("a late reply of an RPC that may write stands: only the handler knows whether it wrote", async () => {
      delayMs = 150;
      const reply = await call("UpdateUser", UpdateUserRequestSchema, { user: { id: "late" }, updateMask: { paths: ["email"] } }, { [Headers.timeoutMs]: "50" });
      assert.equal(reason(reply), undefined, "the handler's own outcome");
    });

    it("checkDeadline past the deadline throws DEADLINE_EXCEEDED, replied as such", async () => {
      delayMs = 150;
      const reply = await call("DeleteUser", DeleteUserRequestSchema, { id: "late" }, { [Headers.timeoutMs]: "50" });
      assert.equal(reason(reply), "DEADLINE_EXCEEDED");
      delayMs = 0;
      const inTime = await call("DeleteUser", DeleteUserRequestSchema, { id: "in-time" }, { [Headers.timeoutMs]: "2000" });
      assert.equal(reason(inTime), undefined);
    });
  });

  describe("auth", () => {
    const verified = {
      [Headers.authSubject]: "user-42",
      [Headers.authClaims]: JSON.stringify({ sub: "user-42", iss: "https://issuer.example", roles: ["admin"], name: "J\u00f6rg" }).replace(
        /[\u0080-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      ),
    };

    it("is the verified subject and claims", async () => {
      await ping(verified);
      assert.deepEqual(last().auth, { subject: "user-42", claims: { sub: "user-42", iss: "https://issuer.example", roles: ["admin"], name: "J\u00f6rg" } });
      assert.deepEqual(errors, []);
    });

    it("is undefined without the headers", async () => {
      await ping({ [Headers.requestId]: "r1" });
      assert.equal(last().auth, undefined);
      await ping();
      assert.equal(last().auth, undefined);
      assert.deepEqual(errors, []);
    });

    it("never comes from metadata, nor metadata from it", async () => {
      await ping({ [`${Headers.metadataPrefix}Auth-Subject`]: "forged", [`${Headers.metadataPrefix}Auth-Claims`]: '{"sub":"forged"}' });
      assert.equal(last().auth, undefined, "Switchyard-Meta-Auth-* is a client header, not an identity");
      await ping(verified);
      assert.equal(last().metadata, undefined, "metadata(\"Auth-Subject\") reads Switchyard-Meta-Auth-Subject only");
      assert.equal(last().auth?.subject, "user-42");
    });

    it("malformed claims are no identity, and logged once per instance", async () => {
      for (const claims of ["{not json", "[1,2]", '"text"', "null"]) {
        const reply = await ping({ [Headers.authSubject]: "user-42", [Headers.authClaims]: claims });
        assert.equal(reason(reply), undefined, "the request is still served");
        assert.equal(last().auth, undefined, claims);
      }
      await ping({ [Headers.authSubject]: "user-42" });
      assert.equal(last().auth, undefined, "a subject without claims");
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, /malformed auth headers \(Switchyard-Auth-Claims is not JSON\)/);
      assert.doesNotMatch(errors[0]!, /user-42/, "the value is not logged");
    });
  });

  describe("idempotencyKey", () => {
    const token = "0123456789abcdef".repeat(4);

    it("is the Switchyard-Idempotency-Key the gateway sent", async () => {
      await call("UpdateUser", UpdateUserRequestSchema, { user: { id: "u1" }, updateMask: { paths: ["email"] } }, { [Headers.idempotencyKey]: token });
      assert.equal(last().idempotencyKey, token);
    });

    it("is undefined without the header", async () => {
      await ping({ [Headers.requestId]: "r1" });
      assert.equal(last().idempotencyKey, undefined);
      await ping();
      assert.equal(last().idempotencyKey, undefined);
    });

    for (const [what, value] of [
      ["empty", ""],
      ["63 digits", token.slice(1)],
      ["65 digits", `${token}0`],
      ["upper-case hex", token.toUpperCase()],
      ["a non-hex digit", `${token.slice(1)}g`],
      ["a space inside", `${token.slice(0, 32)} ${token.slice(33)}`],
      ["a line of two tokens", `${token},${token}`],
    ] as const) {
      it(`is undefined for a malformed value (${what}), and the request is served`, async () => {
        const reply = await ping({ [Headers.idempotencyKey]: value });
        assert.equal(reason(reply), undefined);
        assert.equal(last().idempotencyKey, undefined);
      });
    }

    it("never comes from metadata", async () => {
      await ping({ [`${Headers.metadataPrefix}Idempotency-Key`]: token });
      assert.equal(last().idempotencyKey, undefined, "Switchyard-Meta-Idempotency-Key is a client header");
    });
  });

  it("stop() answers every request it received, none dropped (the SDK queues none: each starts on receipt)", async () => {
    const pending = Array.from({ length: 20 }, () =>
      call("ListUsers", ListUsersRequestSchema, {}).then(
        (reply) => reason(reply) ?? "ok",
        (err: Error) => err.name,
      ),
    );
    await sleep(200);
    const stopping = svc.stop();
    await sleep(100);
    open();
    await stopping;
    assert.deepEqual(await Promise.all(pending), Array(20).fill("ok"));
  });
});
