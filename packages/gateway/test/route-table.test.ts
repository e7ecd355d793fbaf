import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMethod } from "@bufbuild/protobuf";
import { UserService } from "@switchyard/contracts";
import { RouteTable, routesOf, parseTemplate, type Route } from "@switchyard/gateway";

function route(verb: string, path: string, method: DescMethod = UserService.method.getUser): Route {
  return {
    verb,
    template: parseTemplate(path),
    method,
    subject: `${method.parent.typeName}.${method.name}`,
    body: undefined,
    bodyPath: [],
    responseBody: undefined,
    pathFields: [],
    updateMask: undefined,
  };
}

describe("route table", () => {
  it("is compiled from the contract's google.api.http annotations", () => {
    const routes = routesOf([UserService]).map((r) => `${r.verb} ${r.template.source} ${r.subject}`);
    assert.deepEqual(routes, [
      "GET / users.v1.UserService.Ping",
      "POST /users users.v1.UserService.CreateUser",
      "GET /users/{id} users.v1.UserService.GetUser",
      "GET /users users.v1.UserService.ListUsers",
      "PATCH /users/{user.id} users.v1.UserService.UpdateUser",
      "DELETE /users/{id} users.v1.UserService.DeleteUser",
    ]);
  });

  it("prefers the most specific template whatever the declaration order", () => {
    const a = [route("GET", "/users/{id}"), route("GET", "/users/me", UserService.method.ping)];
    for (const routes of [a, [...a].reverse()]) {
      const table = new RouteTable(routes);
      const me = table.match("GET", "/users/me");
      assert.equal(me.kind === "found" && me.route.template.source, "/users/me");
      const other = table.match("GET", "/users/42");
      assert.equal(other.kind === "found" && other.route.template.source, "/users/{id}");
    }
  });

  it("prefers a custom verb over a plain variable", () => {
    const table = new RouteTable([route("POST", "/users/{id}"), route("POST", "/users/{id}:undelete", UserService.method.ping)]);
    const m = table.match("POST", "/users/5:undelete");
    assert.equal(m.kind === "found" && m.route.method.name, "Ping");
  });

  it("refuses two routes that match the same requests", () => {
    assert.throws(() => new RouteTable([route("GET", "/users/{id}"), route("GET", "/users/{name}")]), {
      name: "RouteError",
      message: /routes conflict/,
    });
  });

  it("refuses a route on a path the gateway reserves", () => {
    assert.throws(() => new RouteTable([route("GET", "/healthz")], (path) => path === "/healthz"), {
      name: "RouteError",
      message: /GET \/healthz .* takes a path the gateway reserves/,
    });
  });

  it("tells a wrong method from an unknown path", () => {
    const table = new RouteTable(routesOf([UserService]));
    assert.deepEqual(table.match("PUT", "/users/1"), { kind: "method-not-allowed", allow: ["GET", "PATCH", "DELETE"] });
    assert.deepEqual(table.match("GET", "/nope"), { kind: "not-found" });
    assert.equal(table.match("HEAD", "/").kind, "found");
  });

  it("binds nothing it does not need: the request type is the contract's", () => {
    const m = new RouteTable(routesOf([UserService])).match("GET", "/users/abc");
    assert.ok(m.kind === "found");
    assert.equal(m.route.method.input.typeName, create(UserService.method.getUser.input).$typeName);
  });
});
