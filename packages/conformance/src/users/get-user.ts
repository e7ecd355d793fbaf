import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectError } from "../expect.js";
import { MAX_ID } from "./fixtures.js";
import { idRefusalTests } from "./id-refusals.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { getUser } = UserService.method;

export function getUserTests(ctx: UsersSuiteContext): void {
  describe("GetUser", () => {
    idRefusalTests((id) => ctx.rpc.call(getUser, { id }));

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
  });
}
