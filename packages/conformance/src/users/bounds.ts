import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { UserService } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import type { RpcReply } from "../rpc.js";
import { LONG, newUser, uniqueEmail } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { createUser, getUser, listUsers, updateUser, deleteUser } = UserService.method;

/**
 * Every request field that becomes part of a NATS subject or KV key, at 4,100 characters: sent
 * straight over NATS (no gateway in front), the instance must refuse it, not build a subject longer
 * than nats-server's control line (the server would drop its connection), and keep serving.
 */
export function boundsTests(ctx: UsersSuiteContext): void {
  describe("4,100-character ids and keys, straight over NATS", () => {
    const cases: [string, () => Promise<RpcReply>, string][] = [
      ["GetUser id", () => ctx.rpc.call(getUser, { id: LONG }), "id"],
      ["DeleteUser id", () => ctx.rpc.call(deleteUser, { id: LONG }), "id"],
      ["UpdateUser user.id", () => ctx.rpc.call(updateUser, { user: { id: LONG, firstName: "Long" }, updateMask: { paths: ["first_name"] } }), "user.id"],
      ["CreateUser user.id", () => ctx.rpc.call(createUser, { user: newUser({ id: LONG }) }), "user.id"],
      ["CreateUser user.email", () => ctx.rpc.call(createUser, { user: newUser({ email: `${LONG}@example.com` }) }), "user.email"],
      [
        "UpdateUser user.email",
        async () => {
          const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user: newUser() }));
          return ctx.rpc.call(updateUser, { user: { id, email: `${LONG}@example.com` }, updateMask: { paths: ["email"] } });
        },
        "user.email",
      ],
      ["ListUsers page_token", () => ctx.rpc.call(listUsers, { pageSize: 1, pageToken: LONG } satisfies MessageInitShape<typeof listUsers.input>), "page_token"],
    ];

    for (const [what, send, field] of cases) {
      it(`${what}: INVALID_ARGUMENT on ${field}, and the instance keeps serving`, async () => {
        const reply = await send();
        expectError(reply, { reason: "INVALID_ARGUMENT", field });
        assert.ok((reply.description ?? "").length < 500, "the description does not quote the whole value");

        // The next requests, on the same connection, succeed.
        const user = newUser({ email: uniqueEmail("after.long") });
        const { id } = expectOk(createUser, await ctx.rpc.call(createUser, { user }));
        assert.equal(expectOk(getUser, await ctx.rpc.call(getUser, { id })).user?.email, user.email);
        assert.equal(ctx.target.exit, undefined, "the instance is still running");
      });
    }
  });
}
