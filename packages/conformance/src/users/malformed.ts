import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { MALFORMED } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

export function malformedTests(ctx: UsersSuiteContext): void {
  describe("malformed requests", () => {
    for (const method of UserService.methods) {
      it(`${method.name} refuses bytes that are not a ${method.input.typeName}`, async () => {
        const reply = await ctx.rpc.callRaw(method, MALFORMED);
        expectError(reply, { reason: "INVALID_ARGUMENT", field: undefined, description: `request is not a valid ${method.input.typeName}` });
      });
    }

    it("the instance keeps serving after malformed requests", async () => {
      const reply = expectOk(UserService.method.ping, await ctx.rpc.call(UserService.method.ping, {}));
      assert.equal(reply.message, "pong");
    });
  });
}
