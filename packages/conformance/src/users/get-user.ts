import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectError } from "../expect.js";
import { idRule, invalidIds, MAX_ID } from "./fixtures.js";
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

    // An id is any KV key token of at most 64 characters, the services' UUIDs among them.
    for (const [what, id] of [
      ["an unknown id", randomUUID()],
      ["an id that is no UUID", "no-such-user"],
      ["an id of 64 characters", "a".repeat(MAX_ID)],
    ] as const) {
      it(`answers NOT_FOUND, with no field, for ${what}`, async () => {
        expectError(await ctx.rpc.call(getUser, { id }), {
          reason: "NOT_FOUND",
          field: undefined,
          description: `user ${id} not found`,
        });
      });
    }

    for (const [what, id] of invalidIds) {
      it(`refuses ${what} with INVALID_ARGUMENT on id`, async () => {
        expectError(await ctx.rpc.call(getUser, { id }), { reason: "INVALID_ARGUMENT", field: "id", description: idRule("id") });
      });
    }
  });
}
