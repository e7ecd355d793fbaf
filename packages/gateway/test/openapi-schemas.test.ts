import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, fromJson, setExtension, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  MethodOptionsSchema,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
  type DescriptorProtoSchema,
  type FieldDescriptorProtoSchema,
  type MethodDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { Validator } from "@seriousme/openapi-schema-validator";
import { http, type HttpRule } from "@switchyard/contracts";
import { routesOf } from "@switchyard/gateway";
import { buildOpenApi } from "@switchyard/gateway";
import type { OperationObject, ParameterObject, SchemaObject } from "@switchyard/gateway";
import { requestFromJson } from "@switchyard/gateway";

/*
 * A contract with what the users contract lacks, built as a descriptor (with source comments, as
 * `buf build` leaves them) rather than generated:
 *
 *   // Inventory keeps stock per warehouse.
 *   service InventoryService {
 *     // GetItem reads one item.
 *     //
 *     // By its full resource name.
 *     rpc GetItem(GetItemRequest) returns (Item) {
 *       get: "/v1/{name=warehouses/*\/items/*}"  additional_bindings { get: "/v1/items/{name}" } }
 *     rpc UpdateItem(UpdateItemRequest) returns (Item) { patch: "/v1/{item.name=warehouses/*\/items/*}" body: "item" }
 *     rpc AdjustStock(AdjustStockRequest) returns (AdjustStockResponse) {
 *       post: "/v1/{name=warehouses/*\/items/*}:adjustStock" body: "*" }
 *     rpc ListShelf(GetItemRequest) returns (Item) { get: "/v1/{name=shelves/*}" }
 *     rpc ListShelfTree(GetItemRequest) returns (Item) { get: "/v1/{name=shelves/**}" }
 *     rpc GetBook(ShelfRequest) returns (Item) { get: "/v1/{name=shelves/*\/books/*}" }
 *     rpc DeleteShelf(ShelfRequest) returns (Item) { delete: "/v1/{name=shelves/*}" }
 *     rpc GetFile(GetItemRequest) returns (Item) { get: "/v1/files/{name=**}" }
 *     rpc GetQuantity(GetItemRequest) returns (Item) { get: "/v1/items/{name}/quantity" response_body: "quantity" }
 *     rpc LinkItem(AdjustStockRequest) returns (Item) { custom { kind: "LINK" path: "/v1/items/{name}:link" } }
 *   }
 */
type FieldInit = MessageInitShape<typeof FieldDescriptorProtoSchema>;
type MessageInit = MessageInitShape<typeof DescriptorProtoSchema>;
type FieldExtra = { type?: Type; typeName?: string; label?: Label; oneofIndex?: number; options?: { deprecated: boolean } };

function field(name: string, number: number, type: Type, extra: FieldExtra = {}): FieldInit {
  return { name, number, type, label: Label.OPTIONAL, jsonName: protoCamelCase(name), ...extra };
}
const message = (typeName: string) => ({ type: Type.MESSAGE, typeName });
const repeated = { label: Label.REPEATED };
function mapEntry(name: string, key: Type, value: FieldExtra): MessageInit {
  return {
    name,
    field: [field("key", 1, key), field("value", 2, Type.STRING, value)],
    options: { mapEntry: true },
  };
}
function rpc(name: string, input: string, output: string, rule: JsonValue): MessageInitShape<typeof MethodDescriptorProtoSchema> {
  if (http.fieldKind !== "message") throw new Error("google.api.http is a message extension");
  const options = create(MethodOptionsSchema);
  setExtension(options, http, fromJson(http.message, rule) as HttpRule);
  return { name, inputType: `.inv.v1.${input}`, outputType: `.inv.v1.${output}`, options };
}

const fileProto = create(FileDescriptorProtoSchema, {
  name: "inv/v1/inventory.proto",
  package: "inv.v1",
  syntax: "proto3",
  dependency: [
    "google/protobuf/any.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
    "google/protobuf/wrappers.proto",
  ],
  enumType: [
    {
      name: "Status",
      value: [
        { name: "STATUS_UNSPECIFIED", number: 0 },
        { name: "STATUS_ACTIVE", number: 1 },
        { name: "STATUS_RETIRED", number: 2 },
      ],
    },
  ],
  messageType: [
    {
      name: "Item",
      field: [
        field("name", 1, Type.STRING),
        field("quantity", 2, Type.INT64),
        field("serial", 3, Type.UINT64),
        field("status", 4, Type.ENUM, { typeName: ".inv.v1.Status" }),
        field("created_at", 5, Type.MESSAGE, message(".google.protobuf.Timestamp")),
        field("ttl", 6, Type.MESSAGE, message(".google.protobuf.Duration")),
        field("reserved_count", 7, Type.MESSAGE, message(".google.protobuf.Int64Value")),
        field("attributes", 8, Type.MESSAGE, message(".google.protobuf.Struct")),
        field("extra", 9, Type.MESSAGE, message(".google.protobuf.Value")),
        field("detail", 10, Type.MESSAGE, message(".google.protobuf.Any")),
        field("blob", 11, Type.BYTES),
        field("counts", 12, Type.MESSAGE, { ...message(".inv.v1.Item.CountsEntry"), ...repeated }),
        field("tags", 13, Type.STRING, repeated),
        field("parent", 14, Type.MESSAGE, message(".inv.v1.Item")),
        field("sku", 15, Type.STRING, { oneofIndex: 0 }),
        field("code", 16, Type.INT32, { oneofIndex: 0 }),
        field("price", 17, Type.DOUBLE),
        field("mask", 18, Type.MESSAGE, message(".google.protobuf.FieldMask")),
        field("nothing", 19, Type.MESSAGE, message(".google.protobuf.Empty")),
        field("children", 20, Type.MESSAGE, { ...message(".inv.v1.Item.ChildrenEntry"), ...repeated }),
        field("history", 21, Type.ENUM, { typeName: ".inv.v1.Status", ...repeated }),
        field("weight", 22, Type.FLOAT, { options: { deprecated: true } }),
        field("count32", 23, Type.UINT32),
        field("fixed", 24, Type.FIXED64),
        field("flag", 25, Type.BOOL),
      ],
      oneofDecl: [{ name: "kind" }],
      nestedType: [
        mapEntry("CountsEntry", Type.STRING, { type: Type.INT64 }),
        mapEntry("ChildrenEntry", Type.INT32, message(".inv.v1.Item")),
      ],
    },
    {
      name: "Filter",
      field: [
        field("name", 1, Type.STRING),
        field("status", 2, Type.ENUM, { typeName: ".inv.v1.Status" }),
        field("next", 3, Type.MESSAGE, message(".inv.v1.Filter")),
      ],
    },
    {
      name: "GetItemRequest",
      field: [
        field("name", 1, Type.STRING),
        field("filter", 2, Type.MESSAGE, message(".inv.v1.Filter")),
        field("since", 3, Type.MESSAGE, message(".google.protobuf.Timestamp")),
        field("tags", 4, Type.STRING, repeated),
        field("ids", 5, Type.INT64, repeated),
        field("status", 6, Type.ENUM, { typeName: ".inv.v1.Status" }),
        field("labels", 7, Type.MESSAGE, { ...message(".inv.v1.GetItemRequest.LabelsEntry"), ...repeated }),
        field("any", 8, Type.MESSAGE, message(".google.protobuf.Any")),
        field("items", 9, Type.MESSAGE, { ...message(".inv.v1.Item"), ...repeated }),
        field("min_quantity", 10, Type.MESSAGE, message(".google.protobuf.Int32Value")),
      ],
      nestedType: [mapEntry("LabelsEntry", Type.STRING, {})],
    },
    {
      name: "UpdateItemRequest",
      field: [
        field("item", 1, Type.MESSAGE, message(".inv.v1.Item")),
        field("update_mask", 2, Type.MESSAGE, message(".google.protobuf.FieldMask")),
      ],
    },
    {
      name: "AdjustStockRequest",
      field: [
        field("name", 1, Type.STRING),
        field("delta", 2, Type.INT64),
        field("reason", 3, Type.STRING, { options: { deprecated: true } }),
      ],
    },
    { name: "AdjustStockResponse", field: [field("item", 1, Type.MESSAGE, message(".inv.v1.Item"))] },
    { name: "ShelfRequest", field: [field("name", 1, Type.STRING), field("shelf", 2, Type.STRING)] },
  ],
  service: [
    {
      name: "InventoryService",
      method: [
        rpc("GetItem", "GetItemRequest", "Item", {
          get: "/v1/{name=warehouses/*/items/*}",
          additionalBindings: [{ get: "/v1/items/{name}" }],
        }),
        rpc("UpdateItem", "UpdateItemRequest", "Item", { patch: "/v1/{item.name=warehouses/*/items/*}", body: "item" }),
        rpc("AdjustStock", "AdjustStockRequest", "AdjustStockResponse", {
          post: "/v1/{name=warehouses/*/items/*}:adjustStock",
          body: "*",
        }),
        rpc("ListShelf", "GetItemRequest", "Item", { get: "/v1/{name=shelves/*}" }),
        rpc("ListShelfTree", "GetItemRequest", "Item", { get: "/v1/{name=shelves/**}" }),
        rpc("GetBook", "ShelfRequest", "Item", { get: "/v1/{name=shelves/*/books/*}" }),
        rpc("DeleteShelf", "ShelfRequest", "Item", { delete: "/v1/{name=shelves/*}" }),
        rpc("GetFile", "GetItemRequest", "Item", { get: "/v1/files/{name=**}" }),
        rpc("GetQuantity", "GetItemRequest", "Item", { get: "/v1/items/{name}/quantity", responseBody: "quantity" }),
        rpc("LinkItem", "AdjustStockRequest", "Item", { custom: { kind: "LINK", path: "/v1/items/{name}:link" } }),
      ],
    },
  ],
  sourceCodeInfo: {
    location: [
      { path: [6, 0], leadingComments: " Inventory keeps stock per warehouse.\n" },
      { path: [6, 0, 2, 0], leadingComments: " GetItem reads one item.\n\n By its full resource name.\n" },
      { path: [4, 0, 2, 1], leadingComments: " How many are in stock.\n" },
      { path: [4, 0], leadingComments: " An item in a warehouse.\n" },
      { path: [5, 0, 2, 1], trailingComments: " In stock and for sale.\n" },
      { path: [4, 2, 2, 1], leadingComments: " Only items matching this.\n" },
    ],
  },
});

const wkt = [
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];
const registry = createFileRegistry(fileProto, (name) => wkt.find((f) => f.name === name.replace(/\.proto$/, "")));
const service = registry.getService("inv.v1.InventoryService")!;
const routes = routesOf([service]);
const doc = buildOpenApi(routes, { title: "Inventory", version: "1.0.0" });
const schemas = doc.components.schemas;
const item = schemas["inv.v1.Item"]!;

const ITEM = "/v1/warehouses/{warehouse}/items/{item}";

function op(path: string, method: "get" | "post" | "patch" | "delete"): OperationObject {
  const found = doc.paths[path]?.[method];
  assert.ok(found, `${method.toUpperCase()} ${path} is documented (have ${Object.keys(doc.paths).join(", ")})`);
  return found;
}
function params(o: OperationObject, where: "path" | "query"): ParameterObject[] {
  return (o.parameters ?? []).filter((p): p is ParameterObject => "in" in p && p.in === where);
}
function prop(schema: SchemaObject | undefined, name: string): SchemaObject {
  const found = schema?.properties?.[name];
  assert.ok(found, `property ${name}`);
  return found;
}

describe("OpenAPI document of a richer contract", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
  });

  it("documents every route but the custom verb OpenAPI 3.1 cannot hold, which it names", () => {
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, o]) => `${method} ${path} ${o.operationId}`),
    );
    assert.deepEqual(ops.sort(), [
      "delete /v1/{name} InventoryService_DeleteShelf",
      "get /v1/files/{name} InventoryService_GetFile",
      "get /v1/items/{name} InventoryService_GetItem_2",
      "get /v1/items/{name}/quantity InventoryService_GetQuantity",
      "get /v1/shelves/{shelf_2}/books/{book} InventoryService_GetBook",
      "get /v1/shelves/{shelf} InventoryService_ListShelf",
      "get /v1/warehouses/{warehouse}/items/{item} InventoryService_GetItem",
      "get /v1/{name} InventoryService_ListShelfTree",
      "patch /v1/warehouses/{warehouse}/items/{item} InventoryService_UpdateItem",
      "post /v1/warehouses/{warehouse}/items/{item}:adjustStock InventoryService_AdjustStock",
    ]);
    assert.deepEqual(doc["x-unlisted-routes"], ["LINK /v1/items/{name}:link (inv.v1.InventoryService.LinkItem)"]);
  });

  it("takes summaries and descriptions from source comments", () => {
    const get = op(ITEM, "get");
    assert.equal(get.summary, "GetItem reads one item.");
    assert.equal(get.description, "GetItem reads one item.\n\nBy its full resource name.\n\nRPC `inv.v1.InventoryService.GetItem`, sent as a NATS request to that subject.");
    assert.equal(op(`${ITEM}:adjustStock`, "post").summary, "AdjustStock");
    assert.deepEqual(doc.tags, [{ name: "InventoryService", description: "Inventory keeps stock per warehouse." }]);
    assert.equal(item.description?.split("\n\n")[0], "An item in a warehouse.");
    assert.equal(prop(item, "quantity").description, "How many are in stock.");
    assert.match(schemas["inv.v1.Status"]!.description!, /- `STATUS_ACTIVE` \(1\): In stock and for sale\./);
  });

  it("expands a multi-segment variable into one parameter per wildcard, each saying which field it fills", () => {
    for (const method of ["get", "patch"] as const) {
      const field = method === "get" ? "name" : "item.name";
      assert.deepEqual(
        params(op(ITEM, method), "path"),
        ["warehouse", "item"].map((name) => ({
          name,
          in: "path",
          required: true,
          schema: { type: "string", pattern: "^[^/]+$" },
          description: `Fills the field \`${field}\`: the gateway sets it to \`warehouses/{warehouse}/items/{item}\`.`,
        })),
      );
    }
    assert.deepEqual(params(op("/v1/shelves/{shelf}", "get"), "path")[0]!.description, "Fills the field `name`: the gateway sets it to `shelves/{shelf}`.");
  });

  it("keeps a \"**\" one parameter, its slashes sent as they are or percent-encoded", () => {
    const [file] = params(op("/v1/files/{name}", "get"), "path");
    assert.deepEqual(file!.schema, { type: "string", pattern: "^.*$" });
    assert.match(file!.description!, /percent-encoded \(%2F\), both match/);
  });

  it("names an expanded parameter apart from the operation's query parameters", () => {
    const book = op("/v1/shelves/{shelf_2}/books/{book}", "get");
    assert.deepEqual(params(book, "path").map((p) => p.name), ["shelf_2", "book"]);
    assert.deepEqual(params(book, "query").map((p) => p.name), ["shelf"]);
    assert.equal(params(book, "path")[0]!.description, "Fills the field `name`: the gateway sets it to `shelves/{shelf_2}/books/{book}`.");
  });

  it("collapses a route whose expanded path is taken, or whose names would clash, into one parameter holding slashes", () => {
    // ListShelfTree's expanded path is ListShelf's GET /v1/shelves/{shelf}.
    const [tree] = params(op("/v1/{name}", "get"), "path");
    assert.equal(tree!.name, "name");
    assert.deepEqual(tree!.schema, { type: "string", pattern: "^shelves(?:/.*)?$" });
    assert.equal(tree!["x-path-template"], "shelves/**");
    assert.match(tree!.description!, /Send the slashes as they are; a percent-encoded slash \(%2F\) does not match/);
    // DeleteShelf would join /v1/shelves/{shelf}, whose name is its own query parameter.
    const remove = op("/v1/{name}", "delete");
    assert.deepEqual(params(remove, "path").map((p) => [p.name, p["x-path-template"]]), [["name", "shelves/*"]]);
    assert.deepEqual(params(remove, "query").map((p) => p.name), ["shelf"]);
  });

  it("offers free fields as query parameters: nested with dots, repeated exploded, WKTs as strings", () => {
    const query = params(op(ITEM, "get"), "query");
    assert.deepEqual(
      query.map((p) => p.name),
      ["filter.name", "filter.status", "since", "tags", "ids", "status", "min_quantity"],
      "no maps, Any, repeated messages, nor the recursion filter.next.next…",
    );
    const byName = new Map(query.map((p) => [p.name, p]));
    assert.deepEqual(byName.get("ids"), {
      name: "ids",
      in: "query",
      schema: { type: "array", items: { type: "string", format: "int64", pattern: "^-?[0-9]+$" } },
      style: "form",
      explode: true,
    });
    assert.deepEqual(byName.get("filter.status")?.schema, { $ref: "#/components/schemas/inv.v1.Status" });
    assert.equal(byName.get("filter.status")?.description, undefined, "its JSON name is its proto name");
    assert.equal(byName.get("since")?.schema.format, "date-time");
    assert.equal(byName.get("min_quantity")?.description, "google.protobuf.Int32Value: the wrapped value, or null.\n\nAlso accepted as `minQuantity`.");
    assert.deepEqual(params(op(`${ITEM}:adjustStock`, "post"), "query"), [], "body * leaves nothing to the query");
    assert.deepEqual(
      params(op(ITEM, "patch"), "query").map((p) => p.name),
      ["update_mask"],
    );
  });

  it("documents only query parameters the transcoder accepts", () => {
    const sample = (schema: SchemaObject): string =>
      schema.$ref?.endsWith(".Status")
        ? "STATUS_ACTIVE"
        : schema.format === "date-time"
          ? "2024-01-02T03:04:05Z"
          : schema.type === "integer" || schema.format === "int64"
            ? "7"
            : "x";
    let checked = 0;
    for (const route of routes) {
      const documented = Object.values(doc.paths)
        .flatMap((item) => Object.values(item))
        .find((o) => o["x-nats-subject"] === route.subject);
      if (documented === undefined) continue;
      for (const parameter of params(documented, "query")) {
        const { schema } = parameter;
        const value = schema.type === "array" ? [sample(schema.items!), sample(schema.items!)] : sample(schema);
        assert.doesNotThrow(() => requestFromJson(route, undefined, new Map(), { [parameter.name]: value }), parameter.name);
        checked++;
      }
    }
    assert.ok(checked >= 10, `checked ${checked}`);
  });

  it("sends body * as the request less the path fields, and body field as that field less the path fields", () => {
    const adjust = op(`${ITEM}:adjustStock`, "post").requestBody!.content["application/json"]!.schema;
    assert.deepEqual(Object.keys(adjust.properties!), ["delta", "reason"]);
    assert.equal(prop(adjust, "reason").deprecated, true);
    const update = op(ITEM, "patch").requestBody!.content["application/json"]!.schema;
    assert.equal(update.type, "object");
    assert.ok(!("name" in update.properties!));
    assert.ok("quantity" in update.properties!);
    assert.equal(op(ITEM, "get").requestBody, undefined);
  });

  it("answers with the response_body field's schema", () => {
    const quantity = op("/v1/items/{name}/quantity", "get").responses["200"] as { content: Record<string, { schema: SchemaObject }> };
    assert.deepEqual(quantity.content["application/json"]!.schema, {
      type: "string",
      format: "int64",
      pattern: "^-?[0-9]+$",
      description: "How many are in stock.",
    });
  });

  const scalarCases: [string, SchemaObject][] = [
    ["quantity", { type: "string", format: "int64", pattern: "^-?[0-9]+$", description: "How many are in stock." }],
    ["serial", { type: "string", format: "uint64", pattern: "^[0-9]+$" }],
    ["fixed", { type: "string", format: "uint64", pattern: "^[0-9]+$" }],
    ["count32", { type: "integer", format: "uint32", minimum: 0, maximum: 4294967295 }],
    ["price", { type: "number", format: "double" }],
    ["weight", { type: "number", format: "float", deprecated: true }],
    ["flag", { type: "boolean" }],
    ["blob", { type: "string", format: "byte", contentEncoding: "base64" }],
    ["tags", { type: "array", items: { type: "string" } }],
    ["status", { $ref: "#/components/schemas/inv.v1.Status" }],
    ["history", { type: "array", items: { $ref: "#/components/schemas/inv.v1.Status" } }],
    ["parent", { $ref: "#/components/schemas/inv.v1.Item" }],
    ["counts", { type: "object", additionalProperties: { type: "string", format: "int64", pattern: "^-?[0-9]+$" } }],
    [
      "children",
      { type: "object", additionalProperties: { $ref: "#/components/schemas/inv.v1.Item" }, propertyNames: { pattern: "^-?[0-9]+$" } },
    ],
  ];
  for (const [name, expected] of scalarCases) {
    it(`maps Item.${name} by the proto3 JSON mapping`, () => {
      assert.deepEqual(prop(item, protoCamelCase(name)), expected);
    });
  }

  const wktCases: [string, Partial<SchemaObject>][] = [
    ["createdAt", { type: "string", format: "date-time" }],
    ["ttl", { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" }],
    ["reservedCount", { type: "string", format: "int64" }],
    ["attributes", { type: "object", additionalProperties: true }],
    ["mask", { type: "string" }],
    ["nothing", { type: "object", properties: {} }],
    ["detail", { type: "object", required: ["@type"] }],
  ];
  for (const [name, expected] of wktCases) {
    it(`maps the well-known type of Item.${name} to its JSON form`, () => {
      const schema = prop(item, name);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(schema[key as keyof SchemaObject], value, key);
      assert.ok(schema.description, "says what the form is");
    });
  }

  it("leaves a google.protobuf.Value free-form", () => {
    assert.deepEqual(Object.keys(prop(item, "extra")), ["description"]);
  });

  it("documents oneof members as plain properties and says they exclude each other", () => {
    assert.match(prop(item, "sku").description!, /oneof `kind`/);
    assert.match(prop(item, "code").description!, /oneof `kind`/);
    assert.match(item.description!, /Oneof `kind`: set at most one of `sku`, `code`\./);
  });

  it("names enums by their values and accepts numbers too", () => {
    const status = schemas["inv.v1.Status"]!;
    assert.deepEqual(status.anyOf?.[0], { type: "string", enum: ["STATUS_UNSPECIFIED", "STATUS_ACTIVE", "STATUS_RETIRED"] });
    assert.equal(status.anyOf?.[1]?.type, "integer");
  });

  it("keeps one component per message and enum by full name, recursion by $ref", () => {
    assert.deepEqual(
      Object.keys(schemas).filter((k) => k.startsWith("inv.")),
      ["inv.v1.AdjustStockResponse", "inv.v1.Item", "inv.v1.Status"],
    );
    assert.ok(!Object.keys(schemas).some((k) => k.startsWith("google.")), "well-known types are inlined");
  });
});
