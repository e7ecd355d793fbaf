import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, CreateUserResponseSchema } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { settingsFromEnv } from "@switchyard/gateway";
import { respondServiceError, startStack, type Stack } from "./harness.js";

// The Idempotency-Key wiring on the HTTP path, in front of a raw CreateUser subscriber that makes
// a new user for every request it gets: a replay must not reach it.
describe("gateway: Idempotency-Key on POST /users", () => {
  let stack: Stack;
  let created = 0;
  const serviceKeys: (string | undefined)[] = [];
  before(async () => {
    stack = await startStack({ idempotency: settingsFromEnv({ IDEMPOTENCY_REQUIRED: "users.v1.UserService.CreateUser" }).idempotency });
    stack.nc.subscribe("users.v1.UserService.CreateUser", {
      callback: (_err, msg) => {
        serviceKeys.push(msg.headers?.get(Headers.idempotencyKey));
        const request = fromBinary(CreateUserRequestSchema, msg.data);
        // As a service SDK refuses a request that breaks a rule: before anything is applied.
        if (request.user?.firstName === "") {
          respondServiceError(msg, 400, "user.first_name is required", "INVALID_ARGUMENT", "user.first_name");
          return;
        }
        msg.respond(toBinary(CreateUserResponseSchema, create(CreateUserResponseSchema, { id: `u${++created}`, success: true })));
      },
    });
    await stack.nc.flush();
    // The bucket is opened when the gateway is ready; wait for the first request to get through.
    for (let i = 0; i < 50; i++) {
      const probe = await post({ firstName: "Probe", lastName: "Probe" }, `probe-${i}`);
      if (probe.statusCode === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => stack.close());

  const post = (body: object, key?: string) =>
    stack.app.inject({ method: "POST", url: "/users", payload: body, headers: key === undefined ? {} : { "idempotency-key": key } });

  it("runs the first request once and replays its answer, marked, to a retry", async () => {
    const before = created;
    const first = await post({ firstName: "Ada", lastName: "Lovelace" }, "k-1");
    assert.equal(first.statusCode, 200, first.body);
    const again = await post({ firstName: "Ada", lastName: "Lovelace" }, "k-1");
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(first.headers["idempotent-replayed"], undefined);
    assert.equal(created, before + 1);
    assert.match(serviceKeys.at(-1) ?? "", /^[0-9a-f]{64}$/);
  });

  it("frees the key of a request the service refused as invalid, so the corrected request runs under it", async () => {
    const before = created;
    const invalid = await post({ firstName: "", lastName: "Lovelace" }, "k-fix");
    assert.equal(invalid.statusCode, 400, invalid.body);
    assert.equal(invalid.json().field, "user.first_name");
    const fixed = await post({ firstName: "Ada", lastName: "Lovelace" }, "k-fix");
    assert.equal(fixed.statusCode, 200, fixed.body);
    assert.equal(fixed.headers["idempotent-replayed"], undefined);
    assert.equal(created, before + 1);
  });

  it("answers 422 to the same key with another body", async () => {
    const res = await post({ firstName: "Grace", lastName: "Hopper" }, "k-1");
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, "IDEMPOTENCY_KEY_MISMATCH");
  });

  it("requires the key where configured, and refuses a malformed one, naming the header", async () => {
    const missing = await post({ firstName: "Ada", lastName: "Lovelace" });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, "IDEMPOTENCY_KEY_REQUIRED");
    const bad = await post({ firstName: "Ada", lastName: "Lovelace" }, "x".repeat(300));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, "INVALID_IDEMPOTENCY_KEY");
    assert.equal(bad.json().field, "idempotency-key");
  });

  it("ignores the key on an idempotent RPC", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/users/u1", headers: { "idempotency-key": "k-2" } });
    assert.notEqual(res.statusCode, 400);
    assert.equal(res.headers["idempotent-replayed"], undefined);
  });
});
