import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, CreateUserResponseSchema, GetUserRequestSchema, GetUserResponseSchema, UserSchema, UserService } from "@switchyard/contracts";
import { createUserRequestBytes, textCases, undecodableCases, type TextFields } from "@switchyard/conformance";
import { Headers, methodSubject } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { describeOutput, REPO_ROOT, startTarget, type Target } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };
const { createUser, getUser, ping } = UserService.method;

/** What a client learns from one CreateUser, whichever way it was sent. */
type Answer =
  | { created: true; storedAsSent: boolean }
  | { code: string | undefined; field: string | undefined; description: string | undefined };

// services/README.md, "Text": the same request gets the same answer from users-ts and users-rb
// (each straight over NATS, on its deployment's own subject) and through the gateway, whose JSON
// answers come from the contract's field rules before any service sees the request.
describe("the text rules: one answer from users-ts, users-rb and the gateway", () => {
  let stack: Stack;
  let ts: RunningService | undefined;
  let rb: Target | undefined;

  const deploymentSubject = (deployment: string, method: typeof createUser | typeof getUser | typeof ping) =>
    `switchyard.deployment.${deployment}.${methodSubject(method)}`;

  const startRuby = async (): Promise<Target> => {
    const target = startTarget({
      command: "cd services/users-rb && exec bundle exec bin/users-rb",
      cwd: REPO_ROOT,
      natsUrl: stack.ns.url,
      env: { SWITCHYARD_DEPLOYMENT: "users-rb" },
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await stack.nc.request(deploymentSubject("users-rb", ping), new Uint8Array(), { timeout: 500 });
        return target;
      } catch {
        if (target.exit !== undefined || Date.now() > deadline) throw new Error(`users-rb did not start\n${describeOutput(target.output())}`);
        await sleep(100);
      }
    }
  };

  /** CreateUser straight over NATS to one deployment, and the user read back from it. */
  const viaNats = async (deployment: string, request: Uint8Array, sent?: TextFields): Promise<Answer> => {
    const reply = await stack.nc.request(deploymentSubject(deployment, createUser), request, { timeout: 5_000 });
    if (reply.headers?.has(Headers.serviceErrorCode) === true) {
      const header = (name: string) => (reply.headers?.has(name) === true ? reply.headers.get(name) : undefined);
      return { code: header(Headers.errorReason), field: header(Headers.errorField), description: header(Headers.serviceError) };
    }
    const { id } = fromBinary(CreateUserResponseSchema, reply.data);
    const read = await stack.nc.request(deploymentSubject(deployment, getUser), toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id })), { timeout: 5_000 });
    const user = fromBinary(GetUserResponseSchema, read.data).user;
    return { created: true, storedAsSent: sent !== undefined && user?.firstName === sent.firstName && user.lastName === sent.lastName && user.email === sent.email };
  };

  /** POST /users through the gateway, JSON or Protobuf, and the user read back with GET /users/{id}. */
  const viaGateway = async (body: TextFields | Uint8Array): Promise<Answer> => {
    const json = !(body instanceof Uint8Array);
    const res = await stack.app.inject({
      method: "POST",
      url: "/users",
      headers: { "content-type": json ? "application/json" : "application/x-protobuf", accept: "application/json" },
      payload: json ? JSON.stringify(body) : Buffer.from(body),
    });
    if (res.statusCode !== 200) {
      const problem = res.json<{ code?: string; field?: string; detail?: string }>();
      return { code: problem.code, field: problem.field, description: problem.detail };
    }
    const { id } = res.json<{ id: string }>();
    const user = (await stack.app.inject({ method: "GET", url: `/users/${id}` })).json<Partial<TextFields>>();
    const same = json && (user.firstName ?? "") === body.firstName && (user.lastName ?? "") === body.lastName && (user.email ?? "") === body.email;
    return { created: true, storedAsSent: same };
  };

  const requestOf = (fields: TextFields): Uint8Array => toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: create(UserSchema, fields) }));

  before(async () => {
    stack = await startStack();
    ts = await startUsersService(stack.nc, quiet, { deployment: "users-ts" });
    rb = await startRuby();
  });
  after(async () => {
    await ts?.stop();
    await rb?.kill();
    await stack.close();
  });

  describe("the Unicode table", () => {
    for (const c of textCases) {
      it(c.name, async () => {
        // Each send gets a user of its own: a valid email is new each time.
        const [forTs, forRb, forGateway] = [c.user(), c.user(), c.user()];
        const expected: Answer = c.refusal === undefined ? { created: true, storedAsSent: true } : { code: "INVALID_ARGUMENT", ...c.refusal };
        assert.deepEqual(
          { "users-ts": await viaNats("users-ts", requestOf(forTs), forTs), "users-rb": await viaNats("users-rb", requestOf(forRb), forRb), gateway: await viaGateway(forGateway) },
          { "users-ts": expected, "users-rb": expected, gateway: expected },
        );
      });
    }
  });

  describe("bytes that are not UTF-8, in Protobuf: the gateway passes them through, every service refuses the request", () => {
    for (const c of undecodableCases) {
      it(c.name, async () => {
        const expected: Answer = { code: "INVALID_ARGUMENT", field: undefined, description: `request is not a valid ${createUser.input.typeName}` };
        const request = createUserRequestBytes(c.user);
        assert.deepEqual(
          { "users-ts": await viaNats("users-ts", request), "users-rb": await viaNats("users-rb", request), gateway: await viaGateway(c.user) },
          { "users-ts": expected, "users-rb": expected, gateway: expected },
        );
      });
    }
  });

  it("a lone surrogate escaped in JSON never reaches a service: the gateway answers 400 INVALID_FIELD on the field", async () => {
    const res = await stack.app.inject({ method: "POST", url: "/users", headers: { "content-type": "application/json" }, payload: '{"firstName":"A\\ud800","lastName":"Lovelace"}' });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual({ code: res.json().code, field: res.json().field }, { code: "INVALID_FIELD", field: "user.first_name" });
  });

  it("an email taken through one implementation is taken through the others, in any ASCII case", async () => {
    const unique = `Mixed.${Date.now()}@Example.com`;
    const first: TextFields = { firstName: "Ada", lastName: "Lovelace", email: unique };
    assert.deepEqual(await viaNats("users-ts", requestOf(first), first), { created: true, storedAsSent: true });
    const taken: Answer = { code: "ALREADY_EXISTS", field: "user.email", description: "email is already taken" };
    assert.deepEqual(
      {
        "users-rb": await viaNats("users-rb", requestOf({ firstName: "Grace", lastName: "Hopper", email: unique.toLowerCase() })),
        gateway: await viaGateway({ firstName: "Grace", lastName: "Hopper", email: unique.toUpperCase() }),
      },
      { "users-rb": taken, gateway: taken },
    );
  });
});
