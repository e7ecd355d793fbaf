import assert from "node:assert/strict";
import type { InjectOptions } from "fastify";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CreateUserResponseSchema, UserSchema } from "@switchyard/contracts";
import { after, before, describe, it } from "node:test";
import { startUsersService } from "@switchyard/users-ts";
import type { RunningService } from "@switchyard/service";
import { PROBLEM, startStack, type Stack } from "./harness.js";

describe("gateway in front of users-ts on a real nats-server", () => {
  let stack: Stack;
  let users: RunningService;

  before(async () => {
    stack = await startStack({ bodyLimitBytes: 4096 });
    users = await startUsersService(stack.nc, { info: () => undefined, error: () => undefined });
  });
  after(async () => {
    await users.stop();
    await stack.close();
  });

  it("answers GET / with the implementation that served it", async () => {
    const res = await stack.app.inject({ method: "GET", url: "/" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    const body = res.json();
    assert.equal(body.message, "pong");
    assert.deepEqual(body.servedBy, { service: "users", language: "typescript", instance: users.id });
  });

  it("creates a user with the original POST and reads it back", async () => {
    const created = await stack.app.inject({
      method: "POST",
      url: "/users",
      headers: { "content-type": "application/json" },
      payload: { firstName: "Jane", lastName: "Doe" },
    });
    assert.equal(created.statusCode, 200);
    const { id, success } = created.json();
    assert.equal(success, true);
    assert.match(id, /^[0-9a-f-]{36}$/);

    const read = await stack.app.inject({ method: "GET", url: `/users/${id}` });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), { id, firstName: "Jane", lastName: "Doe" });
  });

  it("accepts proto field names as well as JSON names", async () => {
    const res = await stack.app.inject({
      method: "POST",
      url: "/users",
      payload: { first_name: "Ada", last_name: "Lovelace", email: "ada@example.org" },
    });
    assert.equal(res.statusCode, 200);
    const read = await stack.app.inject({ method: "GET", url: `/users/${res.json().id}` });
    assert.equal(read.json().email, "ada@example.org");
  });

  it("echoes a well-formed x-request-id and makes one up otherwise", async () => {
    const given = await stack.app.inject({ method: "GET", url: "/", headers: { "x-request-id": "trace-42" } });
    assert.equal(given.headers["x-request-id"], "trace-42");
    const made = await stack.app.inject({ method: "GET", url: "/", headers: { "x-request-id": "bad id\u0001" } });
    const other = await stack.app.inject({ method: "GET", url: "/" });
    assert.match(String(made.headers["x-request-id"]), /^[0-9A-Za-z]{22}$/);
    assert.notEqual(made.headers["x-request-id"], other.headers["x-request-id"]);
  });

  const errorCases: {
    name: string;
    request: InjectOptions;
    status: number;
    code: string;
    field?: string;
  }[] = [
    {
      name: "malformed JSON",
      request: { method: "POST", url: "/users", headers: { "content-type": "application/json" }, payload: '{"firstName":' },
      status: 400,
      code: "MALFORMED_JSON",
    },
    {
      name: "an empty JSON body",
      request: { method: "POST", url: "/users", headers: { "content-type": "application/json" }, payload: "" },
      status: 400,
      code: "MALFORMED_JSON",
    },
    {
      name: "a wrongly typed field",
      request: { method: "POST", url: "/users", payload: { firstName: 42, lastName: "Doe" } },
      status: 400,
      code: "INVALID_FIELD",
      field: "user.first_name",
    },
    {
      name: "an unknown field",
      request: { method: "POST", url: "/users", payload: { firstName: "Jane", nickname: "JD" } },
      status: 400,
      code: "INVALID_FIELD",
      field: "user.nickname",
    },
    {
      name: "a body that is not an object",
      request: { method: "POST", url: "/users", payload: [1, 2] },
      status: 400,
      code: "INVALID_FIELD",
      field: "user",
    },
    {
      name: "an unknown query parameter",
      request: { method: "GET", url: "/users/abc?verbose=1" },
      status: 400,
      code: "INVALID_FIELD",
      field: "verbose",
    },
    { name: "an unknown route", request: { method: "GET", url: "/orders/1" }, status: 404, code: "ROUTE_NOT_FOUND" },
    { name: "a URL that does not decode", request: { method: "GET", url: "/users/%ZZ" }, status: 400, code: "BAD_REQUEST" },
    { name: "a wrong method", request: { method: "PUT", url: "/users" }, status: 405, code: "METHOD_NOT_ALLOWED" },
    {
      name: "a query value of the wrong type",
      request: { method: "GET", url: "/users?pageSize=ten" },
      status: 400,
      code: "INVALID_FIELD",
      field: "page_size",
    },
    {
      name: "a query parameter the path binds",
      request: { method: "GET", url: "/users/abc?id=def" },
      status: 400,
      code: "INVALID_FIELD",
      field: "id",
    },
    {
      name: "a page size out of bounds",
      request: { method: "GET", url: "/users?page_size=101" },
      status: 400,
      code: "INVALID_ARGUMENT",
      field: "page_size",
    },
    {
      name: "an unsupported content type",
      request: { method: "POST", url: "/users", headers: { "content-type": "text/plain" }, payload: "Jane Doe" },
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      field: "content-type",
    },
    {
      name: "a body over the limit",
      request: { method: "POST", url: "/users", payload: { firstName: "x".repeat(5000), lastName: "Doe" } },
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "a field the service rejects",
      request: { method: "POST", url: "/users", payload: { firstName: "Jane", lastName: "Doe", email: "not-an-email" } },
      status: 400,
      code: "INVALID_ARGUMENT",
      field: "user.email",
    },
    {
      name: "a missing required field",
      request: { method: "POST", url: "/users", payload: { lastName: "Doe" } },
      status: 400,
      code: "INVALID_ARGUMENT",
      field: "user.first_name",
    },
    { name: "an unknown user id", request: { method: "GET", url: "/users/no-such-id" }, status: 404, code: "NOT_FOUND" },
  ];

  for (const c of errorCases) {
    it(`answers ${c.name} with ${c.status} ${c.code}`, async () => {
      const res = await stack.app.inject(c.request);
      assert.equal(res.statusCode, c.status, res.body);
      assert.equal(res.headers["content-type"], PROBLEM);
      const problem = res.json();
      assert.equal(problem.status, c.status);
      assert.equal(problem.code, c.code);
      assert.equal(problem.field, c.field);
      assert.equal(typeof problem.title, "string");
      assert.equal(typeof problem.detail, "string");
      assert.doesNotMatch(res.body, /users\.v1\.UserService|\n\s+at /);
    });
  }

  it("lists the allowed methods on a 405", async () => {
    const res = await stack.app.inject({ method: "PUT", url: "/users/abc" });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers["allow"], "GET, PATCH, DELETE");
  });

  it("updates only the fields in the body when no mask is given, the path naming the user", async () => {
    const { id } = (await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Ann", lastName: "Lee" } })).json();
    const res = await stack.app.inject({ method: "PATCH", url: `/users/${id}`, payload: { lastName: "Smith" } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id, firstName: "Ann", lastName: "Smith" });
  });

  it("puts a path-bound field the body also sets into the derived mask, as grpc-gateway does", async () => {
    const { id } = (await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Al", lastName: "Ng" } })).json();
    const res = await stack.app.inject({ method: "PATCH", url: `/users/${id}`, payload: { lastName: "Smith", id } });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().field, "update_mask");
    assert.match(res.json().detail, /"id"/);
  });

  it("updates only the masked fields when the query gives a mask", async () => {
    const { id } = (await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Bo", lastName: "Ek" } })).json();
    const res = await stack.app.inject({
      method: "PATCH",
      url: `/users/${id}?updateMask=firstName`,
      payload: { firstName: "Bob", lastName: "Not changed" },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id, firstName: "Bob", lastName: "Ek" });
  });

  it("deletes a user: 200 with an empty object, then 404", async () => {
    const { id } = (await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Del", lastName: "Me" } })).json();
    const res = await stack.app.inject({ method: "DELETE", url: `/users/${id}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {});
    assert.equal((await stack.app.inject({ method: "GET", url: `/users/${id}` })).statusCode, 404);
  });

  it("pages through users with pageSize and pageToken from the query", async () => {
    const seen: string[] = [];
    let token = "";
    for (let page = 0; page < 50; page++) {
      const res = await stack.app.inject({ method: "GET", url: `/users?pageSize=2${token === "" ? "" : `&pageToken=${token}`}` });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { users?: { id: string }[]; nextPageToken?: string };
      assert.ok((body.users ?? []).length <= 2);
      seen.push(...(body.users ?? []).map((u) => u.id));
      token = body.nextPageToken ?? "";
      if (token === "") break;
    }
    assert.ok(seen.length >= 3, "the earlier tests created users");
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, seen.length);
  });

  it("answers a duplicate email with 409 ALREADY_EXISTS naming the field", async () => {
    const payload = { firstName: "Jane", lastName: "Doe", email: "jane@example.org" };
    const first = await stack.app.inject({ method: "POST", url: "/users", payload });
    assert.equal(first.statusCode, 200);
    const again = await stack.app.inject({ method: "POST", url: "/users", payload: { ...payload, email: "JANE@example.org" } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers["content-type"], PROBLEM);
    assert.equal(again.json().code, "ALREADY_EXISTS");
    assert.equal(again.json().field, "user.email");
  });

  describe("Protobuf passthrough", () => {
    const PROTO = "application/x-protobuf";
    const user = (init: Parameters<typeof create<typeof UserSchema>>[1]) => Buffer.from(toBinary(UserSchema, create(UserSchema, init)));

    it("sends a Protobuf body on as the body field and returns the reply's bytes", async () => {
      const res = await stack.app.inject({
        method: "POST",
        url: "/users",
        headers: { "content-type": PROTO, accept: PROTO },
        payload: user({ firstName: "Bin", lastName: "Ary" }),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers["content-type"], PROTO);
      const reply = fromBinary(CreateUserResponseSchema, res.rawPayload);
      assert.equal(reply.success, true);

      const read = await stack.app.inject({ method: "GET", url: `/users/${reply.id}`, headers: { accept: "application/proto" } });
      assert.equal(read.headers["content-type"], "application/proto");
      const stored = fromBinary(UserSchema, read.rawPayload);
      assert.deepEqual([stored.id, stored.firstName, stored.lastName], [reply.id, "Bin", "Ary"]);
    });

    it("answers a Protobuf request in JSON unless the client accepts Protobuf first", async () => {
      const res = await stack.app.inject({
        method: "POST",
        url: "/users",
        headers: { "content-type": PROTO, accept: "application/json, application/x-protobuf" },
        payload: user({ firstName: "Jay", lastName: "Son" }),
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().success, true);
    });

    it("lets path parameters win over the Protobuf body, as in JSON", async () => {
      const { id } = (await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: "Pat", lastName: "H" } })).json();
      const res = await stack.app.inject({
        method: "PATCH",
        url: `/users/${id}?updateMask=lastName`,
        headers: { "content-type": PROTO, accept: PROTO },
        payload: user({ id: "someone-else", lastName: "Won" }),
      });
      assert.equal(res.statusCode, 200, res.body);
      const updated = fromBinary(UserSchema, res.rawPayload);
      assert.deepEqual([updated.id, updated.firstName, updated.lastName], [id, "Pat", "Won"]);
    });

    it("answers errors as problem+json, the service judging the undecoded bytes", async () => {
      const res = await stack.app.inject({
        method: "POST",
        url: "/users",
        headers: { "content-type": PROTO, accept: PROTO },
        payload: Buffer.from([0x0a, 0xff, 0xff]),
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers["content-type"], PROBLEM);
      assert.equal(res.json().code, "INVALID_ARGUMENT");
    });
  });
});
