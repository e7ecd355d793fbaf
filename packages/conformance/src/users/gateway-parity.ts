import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary, type DescMethod, type Message } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, GetUserRequestSchema, ListUsersRequestSchema, UserService } from "@switchyard/contracts";
import { ruleViolation } from "@switchyard/protocol";
import { expectError } from "../expect.js";
import { MAX_NAME, newUser } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { createUser, getUser, listUsers } = UserService.method;

/** [what, the RPC, a request breaking one of its rules]. */
const cases: readonly (readonly [string, DescMethod, Message])[] = [
  ["CreateUser with a blank first name", createUser, create(CreateUserRequestSchema, { user: newUser({ firstName: " \t " }) })],
  [`CreateUser with a last name of ${MAX_NAME + 1} characters`, createUser, create(CreateUserRequestSchema, { user: newUser({ lastName: "l".repeat(MAX_NAME + 1) }) })],
  ["CreateUser with a bad email", createUser, create(CreateUserRequestSchema, { user: newUser({ email: "ada@example" }) })],
  ["ListUsers with page_size 101", listUsers, create(ListUsersRequestSchema, { pageSize: 101 })],
  ["GetUser with a bad id", getUser, create(GetUserRequestSchema, { id: "no such user" })],
];

/**
 * A request that breaks one of the contract's field rules, sent straight over NATS, is answered
 * exactly as the gateway answers it sent as JSON: the code, field and message of
 * @switchyard/protocol's ruleViolation, the gateway's own mapping (its 400 problem's code, field
 * and detail), computed here from the same request.
 */
export function gatewayParityTests(ctx: UsersSuiteContext): void {
  describe("a broken field rule over NATS: the gateway's answer to the same request as JSON", () => {
    for (const [what, method, request] of cases) {
      it(`${what}: the code, field and message the gateway gives`, async () => {
        const expected = ruleViolation(method.input, request);
        assert.ok(expected !== undefined, "the request breaks a rule of the contract");
        expectError(await ctx.rpc.callRaw(method, toBinary(method.input, request)), {
          reason: expected.code,
          field: expected.field,
          description: expected.message,
        });
      });
    }
  });
}
