import { it } from "node:test";
import { expectError } from "../expect.js";
import type { RpcReply } from "../rpc.js";
import { idRule, invalidIds } from "./fixtures.js";

/**
 * The refusals of an RPC that takes a user id in `id` (GetUser, DeleteUser): an empty id, and each
 * id no user can have, with INVALID_ARGUMENT on id. `call` sends the RPC with that id.
 */
export function idRefusalTests(call: (id: string) => Promise<RpcReply>): void {
  it("refuses an empty id with INVALID_ARGUMENT on id", async () => {
    expectError(await call(""), { reason: "INVALID_ARGUMENT", field: "id", description: "id is required" });
  });

  for (const [what, id] of invalidIds) {
    it(`refuses ${what} with INVALID_ARGUMENT on id`, async () => {
      expectError(await call(id), { reason: "INVALID_ARGUMENT", field: "id", description: idRule("id") });
    });
  }
}
