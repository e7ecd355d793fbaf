import { fromJson, ScalarType, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { GatewayError } from "../errors.js";
import { bindingOf, type Route } from "../routes/route.js";
import { locateJsonFault } from "./json-error-path.js";

/** The query string as Fastify parses it. */
export type Query = Record<string, string | string[] | undefined>;
type JsonObject = Record<string, unknown>;

/**
 * The request message of a route from proto3 JSON: the body where the rule says, then query
 * parameters for fields the path and body leave free, then path parameters, which win over both.
 */
export interface JsonOptions {
  /** Drop unknown JSON fields and query parameters instead of answering 400 (UNKNOWN_FIELDS=ignore). */
  ignoreUnknownFields?: boolean;
}

export function requestFromJson(
  route: Route,
  body: unknown,
  params: Map<string, string>,
  query: Query,
  options: JsonOptions = {},
): Message {
  const input = route.method.input;
  let json: JsonObject;
  if (route.body === "*") {
    if (body === undefined) json = {};
    else if (isObject(body)) json = { ...body };
    else throw new GatewayError("INVALID_FIELD", `request body must be a JSON object, got ${describe(body)}`);
  } else {
    json = {};
    if (route.body !== undefined && body !== undefined) json[route.body.jsonName] = body;
  }

  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const fields = resolve(input, key);
    if (fields === undefined) {
      if (options.ignoreUnknownFields === true) continue;
      throw new GatewayError("INVALID_FIELD", `unknown query parameter "${key}"`, key);
    }
    if (isBound(route, fields)) {
      throw new GatewayError("INVALID_FIELD", `query parameter "${key}" is bound by the path or body`, key);
    }
    const leaf = fields.at(-1)!;
    const values = Array.isArray(value) ? value : [value];
    if (leaf.fieldKind !== "list" && values.length > 1) {
      throw new GatewayError("INVALID_FIELD", `query parameter "${key}" is not repeated`, key);
    }
    setPath(json, fields, leaf.fieldKind === "list" ? values.map((v) => scalarJson(leaf, v)) : scalarJson(leaf, values[0]!));
  }

  if (route.updateMask !== undefined && route.body !== undefined && route.body !== "*" && isObject(body)) {
    const mask = route.updateMask;
    if (json[mask.jsonName] === undefined && json[mask.name] === undefined) {
      json[mask.jsonName] = maskOf(route, route.body, body);
    }
  }

  for (const [i, fields] of route.pathFields.entries()) {
    const value = params.get(route.template.variables[i]!.fieldPath.join("."));
    if (value !== undefined) setPath(json, fields, scalarJson(fields.at(-1)!, value));
  }

  try {
    return fromJson(input, json as JsonValue, { ignoreUnknownFields: options.ignoreUnknownFields === true });
  } catch {
    const fault = locateJsonFault(input, json);
    const detail = fault.field === undefined ? fault.reason : `${fault.field}: ${fault.reason}`;
    throw new GatewayError("INVALID_FIELD", detail, fault.field);
  }
}

/**
 * The FieldMask (JSON form: lowerCamel paths, comma-separated) of the fields present in a body,
 * leaving out those the path binds (the resource's id is not a change).
 */
function maskOf(route: Route, bodyField: DescField, body: JsonObject): string {
  const message = bodyField.fieldKind === "message" ? bodyField.message : undefined;
  const bound = new Set(route.pathFields.filter((p) => p[0] === bodyField && p.length === 2).map((p) => p[1]));
  const paths: string[] = [];
  for (const key of Object.keys(body)) {
    const field = message?.fields.find((f) => f.name === key || f.jsonName === key);
    if (field === undefined || !bound.has(field)) paths.push(field?.jsonName ?? key);
  }
  return paths.join(",");
}

/** A query key is a field path by proto or JSON names: `page_size`, `filter.name`. */
function resolve(root: DescMessage, key: string): DescField[] | undefined {
  const fields: DescField[] = [];
  let message: DescMessage | undefined = root;
  for (const name of key.split(".")) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name || f.jsonName === name);
    if (field === undefined || field.fieldKind === "map") return undefined;
    fields.push(field);
    message = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

function isBound(route: Route, fields: readonly DescField[]): boolean {
  return route.body === "*" || bindingOf(route, fields) !== "free";
}

/**
 * Path and query values are text. proto3 JSON takes numbers as strings, but not booleans, enums by
 * number, or FieldMask paths in proto form: those are converted as grpc-gateway does.
 */
function scalarJson(field: DescField, text: string): unknown {
  const list = field.fieldKind === "list";
  const kind = list ? field.listKind : field.fieldKind;
  if (kind === "scalar" && field.scalar === ScalarType.BOOL && (text === "true" || text === "false")) return text === "true";
  if (kind === "enum" && /^-?\d+$/.test(text)) return Number(text);
  if (kind === "message" && field.message?.typeName === "google.protobuf.FieldMask") {
    return text.split(",").map((path) => path.split(".").map(lowerCamel).join(".")).join(",");
  }
  return text;
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function setPath(json: JsonObject, fields: readonly DescField[], value: unknown): void {
  let target = json;
  for (const [i, field] of fields.entries()) {
    if (field.name !== field.jsonName) delete target[field.name];
    if (i === fields.length - 1) {
      target[field.jsonName] = value;
      return;
    }
    const next = target[field.jsonName];
    const object: JsonObject = isObject(next) ? { ...next } : {};
    target[field.jsonName] = object;
    target = object;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
}
