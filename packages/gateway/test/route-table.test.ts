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
      "GET /users:stream users.v1.UserService.StreamUsers",
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

  it("prefers the longer of two verbs the path ends with", () => {
    const table = new RouteTable([route("POST", "/e/{id}:custom"), route("POST", "/e/{id}:custom:custom", UserService.method.ping)]);
    const both = table.match("POST", "/e/5:custom:custom");
    assert.ok(both.kind === "found");
    assert.equal(both.route.method.name, "Ping");
    assert.equal(both.params.get("id"), "5");
    const one = table.match("POST", "/e/5:custom");
    assert.equal(one.kind === "found" && one.route.method.name, "GetUser");
  });

  it("prefers a literal segment without a verb over a variable with one, as the segments rank first", () => {
    const table = new RouteTable([route("POST", "/v1/{name}:cancel"), route("POST", "/v1/job:cancel", UserService.method.ping)]);
    const m = table.match("POST", "/v1/job:cancel");
    assert.equal(m.kind === "found" && m.route.method.name, "Ping");
    const other = table.match("POST", "/v1/other:cancel");
    assert.ok(other.kind === "found" && other.route.method.name === "GetUser" && other.params.get("name") === "other");
  });

  it("walks back up when a literal branch dead-ends, and lets \"**\" take the rest", () => {
    const table = new RouteTable([
      route("GET", "/a/b/c"),
      route("GET", "/a/{x}/d", UserService.method.ping),
      route("GET", "/a/{path=**}", UserService.method.listUsers),
    ]);
    const d = table.match("GET", "/a/b/d");
    assert.ok(d.kind === "found" && d.route.method.name === "Ping" && d.params.get("x") === "b");
    const deep = table.match("GET", "/a/b/c/e/f");
    assert.ok(deep.kind === "found" && deep.route.method.name === "ListUsers" && deep.params.get("path") === "b/c/e/f");
    const exact = table.match("GET", "/a/b/c");
    assert.equal(exact.kind === "found" && exact.route.method.name, "GetUser");
  });

  it("matches the right one of a thousand routes", () => {
    const routes = Array.from({ length: 1000 }, (_, i) => route("GET", `/r${i}/{id}/items/{item}`));
    const table = new RouteTable(routes);
    const m = table.match("GET", "/r737/u1/items/i%2F2");
    assert.ok(m.kind === "found");
    assert.equal(m.route.template.source, "/r737/{id}/items/{item}");
    assert.deepEqual([...m.params], [["id", "u1"], ["item", "i/2"]]);
    assert.deepEqual(table.match("GET", "/r1000/u1/items/i"), { kind: "not-found" });
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
