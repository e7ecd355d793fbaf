import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { UserService } from "@switchyard/contracts";
import { allErrorCodes, buildOpenApi, matchTemplate, openApiPath, parseTemplate, routesOf, type OpenApiDocument } from "@switchyard/gateway";

const routes = routesOf([UserService]);
const doc = buildOpenApi(routes, { title: "Switchyard", version: "0.1.0" });

/** Every local $ref in the document points at something. */
function unresolvedRefs(document: OpenApiDocument): string[] {
  const missing: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const target = value
          .slice(2)
          .split("/")
          .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], document);
        if (!value.startsWith("#/") || target === undefined) missing.push(value);
      } else visit(value);
    }
  };
  visit(document);
  return missing;
}

function operation(path: string, method: "get" | "post" | "patch" | "delete" | "put") {
  const op = doc.paths[path]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${path} is documented`);
  return op;
}

describe("OpenAPI document of the users contract", () => {
  it("is a valid OpenAPI 3.1 document by @seriousme/openapi-schema-validator", async () => {
    assert.ok(Validator.supportedVersions.has("3.1"));
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, "3.1");
    assert.equal(doc.openapi, "3.1.0");
  });

  it("has no dangling $ref", () => {
    assert.deepEqual(unresolvedRefs(doc), []);
  });

  it("documents every route, once, with a unique operationId", () => {
    const ids = new Set<string>();
    for (const route of routes) {
      const op = Object.values(doc.paths)
        .flatMap((item) => Object.entries(item))
        .find(([method, o]) => method === route.verb.toLowerCase() && o["x-nats-subject"] === route.subject)?.[1];
      assert.ok(op, `${route.verb} ${route.template.source} is documented`);
      assert.equal(op.operationId, `UserService_${route.method.name}`);
      assert.deepEqual(op.tags, ["UserService"]);
      ids.add(op.operationId);
    }
    const documented = Object.values(doc.paths).flatMap((item) => Object.values(item));
    assert.equal(documented.length, routes.length);
    assert.equal(ids.size, routes.length);
    assert.deepEqual(doc.tags.map((t) => t.name), ["UserService"]);
  });

  it("never writes two paths OpenAPI counts as the same (/users/{id}, /users/{user.id})", () => {
    const shapes = Object.keys(doc.paths).map((p) => p.replace(/\{[^}]*\}/g, "{}"));
    assert.equal(new Set(shapes).size, shapes.length);
  });

  it("answers a server-streaming RPC as newline-delimited JSON or server-sent events", () => {
    const ok = doc.paths["/users:stream"]!.get!.responses["200"]!;
    assert.ok("content" in ok);
    const content = ok.content!;
    assert.deepEqual(Object.keys(content), ["application/x-ndjson", "text/event-stream"]);
    assert.deepEqual(content["application/x-ndjson"]!.schema!.properties!["result"], { $ref: "#/components/schemas/users.v1.User" });
  });

  it("falls back to the RPC name where the descriptors carry no comments", () => {
    assert.equal(operation("/users", "post").summary, "CreateUser");
  });

  it("binds path parameters by field, required and typed", () => {
    const get = operation("/users/{id}", "get");
    assert.deepEqual(get.parameters?.[0], { name: "id", in: "path", required: true, schema: { type: "string" } });
  });

  it("binds a nested path field, joining the path item of the same shape", () => {
    // PATCH /users/{user.id} is /users/{id} to OpenAPI: it joins that path item and its name.
    assert.equal(doc.paths["/users/{user.id}"], undefined);
    const patch = operation("/users/{id}", "patch");
    assert.deepEqual(patch.parameters?.[0], {
      name: "id",
      in: "path",
      required: true,
      schema: { type: "string" },
      description: "Binds the field `user.id`.",
    });
    // body "user" without the id the path binds
    const schema = patch.requestBody?.content["application/json"]?.schema;
    assert.deepEqual(Object.keys(schema?.properties ?? {}), ["firstName", "lastName", "email"]);
    assert.match(schema?.description ?? "", /without id/);
  });

  it("offers the fields the path and body leave free as query parameters, by proto name", () => {
    const list = operation("/users", "get");
    const query = (list.parameters ?? []).filter((p) => "in" in p && p.in === "query");
    assert.deepEqual(
      query.map((p) => "name" in p && [p.name, p.schema]),
      [
        ["page_size", { type: "integer", format: "int32" }],
        ["page_token", { type: "string" }],
      ],
    );
  });

  it("takes the body the rule names and answers with the response_body field", () => {
    const create = operation("/users", "post");
    assert.deepEqual(create.requestBody?.content["application/json"]?.schema, { $ref: "#/components/schemas/users.v1.User" });
    // CreateUser is not idempotent: a retry is made safe by an Idempotency-Key.
    assert.deepEqual(create.parameters, [{ $ref: "#/components/parameters/RequestId" }, { $ref: "#/components/parameters/IdempotencyKey" }]);
    const get = operation("/users/{id}", "get");
    assert.equal(get.requestBody, undefined);
    assert.deepEqual(
      (get.responses["200"] as { content: Record<string, unknown> }).content["application/json"],
      { schema: { $ref: "#/components/schemas/users.v1.User" } },
    );
    const ping = operation("/", "get");
    assert.deepEqual(
      (ping.responses["200"] as { content: Record<string, unknown> }).content["application/json"],
      { schema: { $ref: "#/components/schemas/users.v1.PingResponse" } },
    );
  });

  it("describes messages by the proto3 JSON mapping", () => {
    assert.deepEqual(doc.components.schemas["users.v1.User"], {
      type: "object",
      properties: {
        id: { type: "string" },
        firstName: { type: "string" },
        lastName: { type: "string" },
        email: { type: "string" },
      },
    });
    assert.deepEqual(doc.components.schemas["users.v1.PingResponse"]?.properties?.servedBy, {
      $ref: "#/components/schemas/users.v1.ServedBy",
    });
  });

  it("answers errors as problem+json with every code in the Problem schema", () => {
    const problem = doc.components.schemas.Problem;
    assert.deepEqual(problem?.properties?.code?.enum, [...allErrorCodes]);
    assert.deepEqual(problem?.required, ["type", "title", "status", "detail", "code"]);
    const create = operation("/users", "post");
    for (const status of ["400", "404", "409", "413", "415", "500", "502", "503", "504"]) {
      assert.deepEqual(create.responses[status], { $ref: `#/components/responses/Problem${status}` }, status);
    }
    const response400 = doc.components.responses.Problem400!;
    assert.deepEqual(Object.keys(response400.content!), ["application/problem+json"]);
    for (const code of ["MALFORMED_JSON", "INVALID_FIELD", "INVALID_ARGUMENT"]) assert.match(response400.description, new RegExp(code));
    // No body, no 413 or 415; a documented path and method never get the routing errors.
    const get = operation("/users/{id}", "get");
    assert.equal(get.responses["413"], undefined);
    assert.equal(get.responses["415"], undefined);
    assert.equal(get.responses["405"], undefined);
  });

  it("builds the same document from the same routes", () => {
    assert.deepEqual(buildOpenApi(routes, { title: "Switchyard", version: "0.1.0" }), doc);
  });
});

describe("google.api.http templates as OpenAPI paths", () => {
  // Expanded, as grpc-gateway's protoc-gen-openapiv2 writes them with expand_slashed_path_patterns.
  const cases: { template: string; path: string; params: string[] }[] = [
    { template: "/", path: "/", params: [] },
    { template: "/users", path: "/users", params: [] },
    { template: "/users/{id}", path: "/users/{id}", params: ["id"] },
    { template: "/users/{user.id}", path: "/users/{user.id}", params: ["user.id"] },
    { template: "/users/{id=*}", path: "/users/{id}", params: ["id"] },
    { template: "/v1/{parent=shelves/*}/books", path: "/v1/shelves/{shelf}/books", params: ["shelf"] },
    { template: "/v1/{parent=warehouses/*}/items", path: "/v1/warehouses/{warehouse}/items", params: ["warehouse"] },
    { template: "/v1/{name=warehouses/*/items/*}", path: "/v1/warehouses/{warehouse}/items/{item}", params: ["warehouse", "item"] },
    {
      template: "/v1/{name=projects/*/documents/*}:exportResults",
      path: "/v1/projects/{project}/documents/{document}:exportResults",
      params: ["project", "document"],
    },
    { template: "/test/{name=test_cases/*}", path: "/test/test_cases/{test_case}", params: ["test_case"] },
    { template: "/test/{test_type.name=test-cases/*}", path: "/test/test-cases/{test-case}", params: ["test-case"] },
    { template: "/v1/{name=categories/*/addresses/*/boxes/*}", path: "/v1/categories/{category}/addresses/{address}/boxes/{box}", params: ["category", "address", "box"] },
    { template: "/v1/{name=files/**}", path: "/v1/files/{file}", params: ["file"] },
    { template: "/v1/{name=**}", path: "/v1/{name}", params: ["name"] },
    { template: "/v1/{name=*/items/*}", path: "/v1/{name}/items/{item}", params: ["name", "item"] },
    { template: "/v1/{a}/sub/{b.c}:do", path: "/v1/{a}/sub/{b.c}:do", params: ["a", "b.c"] },
    { template: "/v1/*/items/{id}", path: "/v1/*/items/{id}", params: ["id"] },
    { template: "/v1/{name=a.b/*}", path: "/v1/a.b/{a.b}", params: ["a.b"] },
  ];
  for (const c of cases) {
    it(`${c.template} -> ${c.path}`, () => {
      const { path, variables } = openApiPath(parseTemplate(c.template));
      assert.equal(path, c.path);
      assert.deepEqual(variables.map((v) => v.name), c.params);
    });
  }

  it("says which wildcard of which variable each expanded parameter fills", () => {
    const { variables } = openApiPath(parseTemplate("/v1/{name=warehouses/*/items/*}:get"));
    assert.deepEqual(
      variables.map((v) => [v.name, v.variable.fieldPath, v.part]),
      [
        ["warehouse", ["name"], { index: 0, deep: false }],
        ["item", ["name"], { index: 1, deep: false }],
      ],
    );
    assert.deepEqual(openApiPath(parseTemplate("/v1/{name=files/**}")).variables[0]!.part, { index: 0, deep: true });
    assert.equal(openApiPath(parseTemplate("/users/{id}")).variables[0]!.part, undefined);
  });

  it("never gives two parameters of an operation one name", () => {
    const twice = openApiPath(parseTemplate("/v1/{a=shelves/*}/{b=shelves/*}"));
    assert.equal(twice.path, "/v1/shelves/{shelf}/shelves/{shelf_2}");
    // A field the template binds keeps its name; the expanded part yields.
    assert.equal(openApiPath(parseTemplate("/v1/{name=shelves/*}/books/{shelf}")).path, "/v1/shelves/{shelf_2}/books/{shelf}");
    // So does it to the operation's query parameters.
    assert.equal(openApiPath(parseTemplate("/v1/{name=shelves/*}"), "expanded", new Set(["shelf", "shelf_2"])).path, "/v1/shelves/{shelf_3}");
    assert.equal(openApiPath(parseTemplate("/v1/{name=*/*}")).path, "/v1/{name}/{name_2}");
  });

  it("keeps a multi-segment variable one parameter in the collapsed form", () => {
    const collapsed: [string, string, string][] = [
      ["/v1/{name=warehouses/*/items/*}", "/v1/{name}", "^warehouses/[^/]+/items/[^/]+$"],
      ["/v1/{name=warehouses/*/items/*}:adjustStock", "/v1/{name}:adjustStock", "^warehouses/[^/]+/items/[^/]+$"],
      ["/v1/{name=files/**}", "/v1/{name}", "^files(?:/.*)?$"],
      ["/v1/{name=**}", "/v1/{name}", "^.*$"],
      ["/v1/{name=a.b/*}", "/v1/{name}", "^a\\.b/[^/]+$"],
    ];
    for (const [template, expected, pattern] of collapsed) {
      const { path, variables } = openApiPath(parseTemplate(template), "collapsed");
      assert.equal(path, expected, template);
      assert.deepEqual(variables.map((v) => [v.name, v.part, v.multiSegment?.pattern]), [["name", undefined, pattern]], template);
    }
  });

  it("says truly how slashes may be sent: as the route table matches them", () => {
    // "**": the rest of the path, whether its slashes come as they are or percent-encoded.
    const deep = parseTemplate("/v1/{name=files/**}");
    assert.equal(openApiPath(deep).path, "/v1/files/{file}");
    for (const sent of ["/v1/files/a/b", `/v1/files/${encodeURIComponent("a/b")}`]) {
      assert.equal(matchTemplate(deep, sent)?.get("name"), "files/a/b", sent);
    }
    // Collapsed: only unencoded slashes match, which is why the expanded form is the default.
    const items = parseTemplate("/v1/{name=warehouses/*/items/*}");
    assert.equal(matchTemplate(items, "/v1/warehouses/w1/items/i2")?.get("name"), "warehouses/w1/items/i2");
    assert.equal(matchTemplate(items, `/v1/${encodeURIComponent("warehouses/w1/items/i2")}`), undefined);
  });

  it("the patterns accept what the route table matches", () => {
    const { variables } = openApiPath(parseTemplate("/v1/{name=warehouses/*/items/*}"), "collapsed");
    const pattern = new RegExp(variables[0]!.multiSegment!.pattern);
    assert.ok(pattern.test("warehouses/w1/items/i2"));
    assert.ok(!pattern.test("warehouses/w1/items/"));
    assert.ok(!pattern.test("warehouses/w1/items/i2/x"));
    const deep = new RegExp(openApiPath(parseTemplate("/v1/{name=files/**}"), "collapsed").variables[0]!.multiSegment!.pattern);
    for (const value of ["files", "files/a", "files/a/b/c"]) assert.ok(deep.test(value), value);
    assert.ok(!deep.test("filesx"));
  });
});

describe("the singular a collection's parameter is named by", () => {
  const cases: [string, string][] = [
    ["shelves", "shelf"],
    ["warehouses", "warehouse"],
    ["items", "item"],
    ["projects", "project"],
    ["test_cases", "test_case"],
    ["categories", "category"],
    ["addresses", "address"],
    ["indexes", "index"],
    ["databases", "database"],
    ["class", "class"],
    ["data", "data"],
    ["s", "s"],
  ];
  for (const [plural, expected] of cases) {
    it(`${plural} -> ${expected}`, () => {
      const { path } = openApiPath(parseTemplate(`/v1/{name=${plural}/*}`));
      assert.equal(path, `/v1/${plural}/{${expected}}`);
    });
  }
});
