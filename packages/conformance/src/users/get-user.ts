import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectError } from "../expect.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { getUser } = UserService.method;

export function getUserTests(ctx: UsersSuiteContext): void {
  describe("GetUser", () => {
    it("refuses an empty id with INVALID_ARGUMENT on id", async () => {
      expectError(await ctx.rpc.call(getUser, { id: "" }), {
        reason: "INVALID_ARGUMENT",
        field: "id",
        description: "id is required",
      });
    });

    // Ids come from URLs: one that cannot even be a KV key is still just no such user.
    for (const [what, id] of [
      ["an unknown id", randomUUID()],
      ["an id that is no UUID", "no-such-user"],
      ["an id with a space", "no such user"],
      ["an id that is a NATS wildcard (*)", "*"],
      ["an id that is a NATS wildcard (>)", ">"],
    ] as const) {
      it(`answers NOT_FOUND, with no field, for ${what}`, async () => {
        expectError(await ctx.rpc.call(getUser, { id }), {
          reason: "NOT_FOUND",
          field: undefined,
          description: `user ${id} not found`,
        });
      });
    }
  });
}
