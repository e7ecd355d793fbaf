import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchTemplate, parseTemplate } from "@switchyard/gateway";

describe("path templates", () => {
  const matches: [template: string, path: string, expected: Record<string, string> | undefined][] = [
    ["/", "/", {}],
    ["/", "/users", undefined],
    ["/users", "/users", {}],
    ["/users", "/users/", undefined],
    ["/users/{id}", "/users/42", { id: "42" }],
    ["/users/{id}", "/users/a%2Fb", { id: "a/b" }],
    // As grpc-gateway: "*" matches an empty segment too; the service then refuses the empty id.
    ["/users/{id}", "/users/", { id: "" }],
    ["/users/{id}", "/users/42/extra", undefined],
    ["/users/{user.id}", "/users/7", { "user.id": "7" }],
    ["/v1/{name=users/*}", "/v1/users/9", { name: "users/9" }],
    ["/v1/{name=users/*}", "/v1/groups/9", undefined],
    ["/files/{path=**}", "/files/a/b/c.txt", { path: "a/b/c.txt" }],
    ["/files/**", "/files/a/b", {}],
    ["/users/{id}:undelete", "/users/5:undelete", { id: "5" }],
    ["/users/{id}:undelete", "/users/5", undefined],
    ["/users/*/books/{book}", "/users/x/books/y", { book: "y" }],
    ["/users/{id}", "/users/%E0%A4%A", undefined],
  ];
  for (const [template, path, expected] of matches) {
    it(`${template} ${expected === undefined ? "rejects" : "matches"} ${path}`, () => {
      const values = matchTemplate(parseTemplate(template), path);
      assert.deepEqual(values === undefined ? undefined : Object.fromEntries(values), expected);
    });
  }

  const invalid = ["users", "/users/{id", "/users/{}", "/users/{1x}", "/a/**/b", "/users/{id}:", "/a//b", "/{a={b}}"];
  for (const template of invalid) {
    it(`refuses "${template}" at start-up`, () => {
      assert.throws(() => parseTemplate(template), { name: "TemplateError" });
    });
  }
});
