import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { expectOk } from "../expect.js";
import { SERVICE_NAME } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

export function pingTests(ctx: UsersSuiteContext): void {
  describe("Ping", () => {
    it("replies pong, served by this instance of the users service", async () => {
      const reply = expectOk(UserService.method.ping, await ctx.rpc.call(UserService.method.ping, {}));
      assert.equal(reply.message, "pong");
      const servedBy = reply.servedBy;
      assert.ok(servedBy !== undefined, "served_by is set");
      assert.equal(servedBy.service, SERVICE_NAME);
      assert.notEqual(servedBy.language, "", "served_by.language is set");
      assert.notEqual(servedBy.instance, "", "served_by.instance is set");

      const info = await ctx.discover("INFO");
      assert.equal(servedBy.instance, info["id"], "served_by.instance is the micro service instance id");
      const metadata = info["metadata"] as Record<string, unknown> | undefined;
      assert.equal(servedBy.language, metadata?.["language"], "served_by.language is the metadata language");
    });
  });
}
