import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, UserSchema } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { describeOutput, REPO_ROOT, startTarget } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

/** One running users implementation on a stack's NATS, registered (it answers $SRV.PING). */
interface Implementation {
  readonly language: "typescript" | "ruby";
  start(stack: Stack): Promise<{ stop(): Promise<void> }>;
}

const implementations: readonly Implementation[] = [
  {
    language: "typescript",
    async start(stack) {
      return startUsersService(stack.nc, quiet);
    },
  },
  {
    language: "ruby",
    async start(stack) {
      const rb = startTarget({ command: "cd services/users-rb && exec bundle exec bin/users-rb", cwd: REPO_ROOT, natsUrl: stack.ns.url });
      const deadline = Date.now() + 20_000;
      while (!(await serves(stack, "ruby"))) {
        if (rb.exit !== undefined || Date.now() > deadline) throw new Error(`users-rb did not register\n${describeOutput(rb.output())}`);
        await sleep(100);
      }
      return { stop: () => rb.kill().then(() => undefined) };
    },
  },
];

const cases = [
  ["a blank first name", { firstName: "  ", lastName: "Doe" }],
  ["a first name of 101 characters", { firstName: "x".repeat(101), lastName: "Doe" }],
  ["an id set on create", { id: "u1", firstName: "Jane", lastName: "Doe" }],
  ["a bad email", { firstName: "Jane", lastName: "Doe", email: "a@b" }],
] as const;

// One validation: the gateway checks a JSON request's field rules, the service SDK a Protobuf one's
// (passed through the gateway, or straight over NATS), with the same rules and the same mapping, in
// TypeScript (@switchyard/protocol) as in Ruby (switchyard-protovalidate), so the client reads one
// answer whichever way it asks and whichever implementation serves it.
for (const implementation of implementations) {
  describe(`users (${implementation.language}): a request that breaks a field rule gets one answer`, () => {
    let stack: Stack;
    let users: { stop(): Promise<void> } | undefined;

    before(
      async () => {
        stack = await startStack();
        users = await implementation.start(stack);
      },
      { timeout: 30_000 },
    );
    after(async () => {
      await users?.stop();
      await stack.close();
    });

    for (const [what, user] of cases) {
      it(`${what}: the same problem+json through JSON and through Protobuf, the same error straight over NATS`, async () => {
        // The route's body is the request's `user`: a Protobuf body is a User, as a JSON one is.
        const body = Buffer.from(toBinary(UserSchema, create(UserSchema, user)));
        const json = await stack.app.inject({ method: "POST", url: "/users", payload: user });
        const proto = await stack.app.inject({
          method: "POST",
          url: "/users",
          headers: { "content-type": "application/x-protobuf" },
          payload: body,
        });
        assert.equal(json.statusCode, 400, json.body);
        assert.equal(proto.statusCode, 400, proto.body);
        assert.equal(json.headers["content-type"], proto.headers["content-type"]);
        const { requestId: _json, ...fromJson } = json.json();
        const { requestId: _proto, ...fromProto } = proto.json();
        assert.deepEqual(fromProto, fromJson);

        const request = toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user }));
        const reply = await stack.nc.request("users.v1.UserService.CreateUser", request);
        assert.deepEqual(
          [
            reply.headers?.get(Headers.errorReason),
            reply.headers?.get(Headers.errorField),
            reply.headers?.get(Headers.serviceError),
            reply.headers?.get(Headers.serviceErrorCode),
          ],
          [fromJson.code, fromJson.field, fromJson.detail, "400"],
        );
      });
    }
  });
}

/** Whether an instance of the users contract in `language` answers discovery on this stack's NATS. */
async function serves(stack: Stack, language: string): Promise<boolean> {
  try {
    for await (const reply of await stack.nc.requestMany("$SRV.PING.users", undefined, { maxWait: 300 })) {
      if (reply.json<{ metadata?: { language?: string } }>().metadata?.language === language) return true;
    }
  } catch {
    // No responders: nothing serves yet.
  }
  return false;
}
