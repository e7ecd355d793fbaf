import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

describe("UNKNOWN_FIELDS=ignore", () => {
  let stack: Stack;
  let users: RunningService;

  before(async () => {
    stack = await startStack({ unknownFields: "ignore" });
    users = await startUsersService(stack.nc, { info: () => undefined, error: () => undefined });
  });
  after(async () => {
    await users.stop();
    await stack.close();
  });

  it("drops unknown JSON fields instead of answering 400", async () => {
    const res = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Ig", lastName: "Nored", nickname: "x" } });
    assert.equal(res.statusCode, 200, res.body);
    const read = await stack.app.inject({ method: "GET", url: `/users/${res.json().id}?cacheBust=1` });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(Object.keys(read.json()).sort(), ["firstName", "id", "lastName"]);
  });

  it("still refuses a known field of the wrong type", async () => {
    const res = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: 7 } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, "user.first_name");
  });
});
