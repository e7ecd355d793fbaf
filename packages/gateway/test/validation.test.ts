import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, UserSchema } from "@switchyard/contracts";
import { PROBLEM, startStack, type Stack } from "./harness.js";

// The field rules declared in users.proto (protovalidate) are checked by the gateway on JSON
// requests with VALIDATE_AT_GATEWAY=true. No service runs here: a raw subscriber counts what
// reaches NATS and never replies.
describe("gateway validation from the contract's rules (VALIDATE_AT_GATEWAY=true)", () => {
  let stack: Stack;
  let reachedNats = 0;

  before(async () => {
    stack = await startStack({ requestTimeoutMs: 200, validateAtGateway: true });
    stack.nc.subscribe("users.v1.UserService.>", { callback: () => void reachedNats++ });
    await stack.nc.flush();
  });
  after(async () => {
    await stack.close();
  });

  const cases: [string, string, string, unknown, string][] = [
    ["a bad email", "POST", "/users", { firstName: "Jane", lastName: "Doe", email: "not-an-email" }, "user.email"],
    ["a blank first name", "POST", "/users", { firstName: "   ", lastName: "Doe" }, "user.first_name"],
    ["a missing first name", "POST", "/users", { lastName: "Doe" }, "user.first_name"],
    ["a missing last name", "POST", "/users", { firstName: "Jane" }, "user.last_name"],
    ["a 101-character name", "POST", "/users", { firstName: "x".repeat(101), lastName: "Doe" }, "user.first_name"],
    ["an id set on create", "POST", "/users", { id: "u1", firstName: "Jane", lastName: "Doe" }, "user.id"],
    ["page_size 101", "GET", "/users?pageSize=101", undefined, "page_size"],
    ["page_size -1", "GET", "/users?pageSize=-1", undefined, "page_size"],
  ];
  for (const [what, method, url, body, field] of cases) {
    it(`answers ${what} with 400 INVALID_ARGUMENT naming ${field}, without NATS`, async () => {
      const before = reachedNats;
      const res = await stack.app.inject({ method: method as "GET", url, ...(body === undefined ? {} : { payload: body as object }) });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers["content-type"], PROBLEM);
      const problem = res.json();
      assert.equal(problem.code, "INVALID_ARGUMENT");
      assert.equal(problem.field, field);
      assert.equal(typeof problem.detail, "string");
      await stack.nc.flush();
      assert.equal(reachedNats, before);
    });
  }

  it("lets a valid request through to NATS (504: nothing replies here)", async () => {
    for (const [method, url, body] of [
      ["POST", "/users", { firstName: "Jane", lastName: "Doe", email: "jane@example.com" }],
      ["POST", "/users", { firstName: "Jane", lastName: "Doe", email: "" }],
      ["GET", "/users?pageSize=100", undefined],
      ["PATCH", "/users/u1", { email: "" }],
    ] as const) {
      const before = reachedNats;
      const res = await stack.app.inject({ method, url, ...(body === undefined ? {} : { payload: body }) });
      assert.equal(res.statusCode, 504, `${method} ${url}: ${res.body}`);
      assert.equal(reachedNats, before + 1);
    }
  });

  // Which fields an update sets is the mask's, so the contract states its update rules for the
  // service to check (users-ts answers them with the same 400, code, field and message).
  it("lets a bad email on update through to NATS: the service checks the masked fields", async () => {
    const before = reachedNats;
    const res = await stack.app.inject({ method: "PATCH", url: "/users/u1", payload: { email: "a@b" } });
    assert.equal(res.statusCode, 504, res.body);
    assert.equal(reachedNats, before + 1);
  });

  it("passes a Protobuf body through undecoded: the service validates it", async () => {
    const before = reachedNats;
    const bad = create(CreateUserRequestSchema, { user: create(UserSchema, { firstName: " ", email: "bad" }) });
    const res = await stack.app.inject({
      method: "POST",
      url: "/users",
      headers: { "content-type": "application/x-protobuf" },
      payload: Buffer.from(toBinary(CreateUserRequestSchema, bad)),
    });
    assert.equal(res.statusCode, 504, res.body);
    assert.equal(reachedNats, before + 1);
  });
});

// By default the service checks the rules (both SDKs do, on every request; one-validation.test.ts
// shows the same answer through JSON and Protobuf), so the gateway does not check a valid request twice.
describe("gateway validation by default (VALIDATE_AT_GATEWAY=false)", () => {
  let stack: Stack;
  const reached: Uint8Array[] = [];

  before(async () => {
    stack = await startStack({ requestTimeoutMs: 200 });
    stack.nc.subscribe("users.v1.UserService.CreateUser", { callback: (_err, msg) => void reached.push(msg.data) });
    await stack.nc.flush();
  });
  after(async () => {
    await stack.close();
  });

  it("transcodes a JSON request that breaks a rule and sends it on for the service to answer", async () => {
    const res = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "   ", lastName: "Doe", email: "not-an-email" } });
    assert.equal(res.statusCode, 504, res.body);
    assert.equal(reached.length, 1);
    const sent = fromBinary(CreateUserRequestSchema, reached[0]!);
    assert.equal(sent.user?.firstName, "   ");
    assert.equal(sent.user?.email, "not-an-email");
  });
});
