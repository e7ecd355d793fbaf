import { fromJson, type DescField, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { GatewayError } from "../errors.js";
import { bindingOf, type Route } from "../routes/route.js";
import { locateJsonFault } from "./json-error-path.js";
import { mapEntryText, textToJson } from "./text-values.js";
import { WRAPPED_SCALARS } from "./well-known-types.js";

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
  /** Check the request's protovalidate rules (VALIDATE_AT_GATEWAY); the service checks them anyway. */
  validate?: boolean;
}

export function requestFromJson(
  route: Route,
  body: unknown,
  params: Map<string, string>,
  query: Query,
  options: JsonOptions = {},
): Message {
  const input = route.method.input;
  const ignoreUnknownFields = options.ignoreUnknownFields === true;
  let json: JsonObject;
  if (route.body === "*") {
    if (body === undefined) json = {};
    else if (isObject(body)) json = { ...body };
    // A wrapper, Duration, Timestamp... as the whole request: its JSON is a string or a number.
    else if (NOT_OBJECTS.has(input.typeName)) return parse(input, body, ignoreUnknownFields);
    else throw new GatewayError("INVALID_FIELD", `request body must be a JSON object, got ${describe(body)}`);
  } else {
    json = {};
    if (route.bodyPath.length > 0 && body !== undefined) setPath(json, route.bodyPath, body);
  }

  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const found = resolve(input, key);
    if (found === undefined) {
      if (ignoreUnknownFields) continue;
      throw new GatewayError("INVALID_FIELD", `unknown query parameter "${key}"`, key);
    }
    const { fields, mapKey } = found;
    if (isBound(route, fields)) {
      throw new GatewayError("INVALID_FIELD", `query parameter "${key}" is bound by the path or body`, key);
    }
    const leaf = fields.at(-1)!;
    const name = fields.map((f) => f.name).join(".");
    const values = Array.isArray(value) ? value : [value];
    if (leaf.fieldKind !== "list" && values.length > 1) {
      throw new GatewayError("INVALID_FIELD", `query parameter "${key}" is not repeated`, key);
    }
    if (leaf.fieldKind === "map") {
      const [entryKey, entryValue] = mapEntryText(leaf, mapKey!, values[0]!, name);
      const entries = getPath(json, fields);
      setPath(json, fields, { ...(isObject(entries) ? entries : {}), [entryKey]: entryValue });
    } else {
      setPath(json, fields, leaf.fieldKind === "list" ? values.map((v) => textToJson(leaf, v, name)) : textToJson(leaf, values[0]!, name));
    }
  }

  if (route.updateMask !== undefined && route.body !== undefined && route.body !== "*" && isObject(body)) {
    const mask = route.updateMask;
    if (json[mask.jsonName] === undefined && json[mask.name] === undefined) {
      json[mask.jsonName] = maskOf(route.body, body).join(",");
    }
  }

  for (const [i, fields] of route.pathFields.entries()) {
    const value = params.get(route.template.variables[i]!.fieldPath.join("."));
    if (value === undefined) continue;
    const leaf = fields.at(-1)!;
    const name = fields.map((f) => f.name).join(".");
    // A repeated field bound by the path takes its values comma-separated, as in grpc-gateway.
    setPath(json, fields, leaf.fieldKind === "list" ? value.split(",").map((v) => textToJson(leaf, v, name)) : textToJson(leaf, value, name));
  }

  return parse(input, json, ignoreUnknownFields);
}

/** The messages whose proto3 JSON is not an object: the wrappers and a few other well-known types. */
const NOT_OBJECTS = new Set([
  ...Object.keys(WRAPPED_SCALARS),
  "google.protobuf.Duration",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
]);

function parse(input: DescMessage, json: unknown, ignoreUnknownFields: boolean): Message {
  try {
    return fromJson(input, json as JsonValue, { ignoreUnknownFields });
  } catch {
    const fault = locateJsonFault(input, json);
    const detail = fault.field === undefined ? fault.reason : `${fault.field}: ${fault.reason}`;
    throw new GatewayError("INVALID_FIELD", detail, fault.field);
  }
}

/**
 * The FieldMask paths (JSON names) of a PATCH body, as grpc-gateway's FieldMaskFromRequestBody
 * derives them: one path per leaf, so `{"singleNested": {"amount": 1}}` changes `singleNested.amount`
 * and keeps the rest of singleNested. Repeated fields, maps, Any and empty objects are leaves;
 * Struct and Value are walked by their keys. Keys that are not fields of the message are left out.
 */
export function maskOf(bodyField: DescField, body: JsonObject): string[] {
  if (bodyField.fieldKind !== "message") return [];
  const paths: string[] = [];
  const walk = (message: DescMessage, object: JsonObject, prefix: string): void => {
    for (const [key, value] of Object.entries(object)) {
      const field = message.fields.find((f) => f.name === key || f.jsonName === key);
      if (field === undefined) continue;
      const path = prefix + field.jsonName;
      if (field.fieldKind === "message" && isObject(value) && Object.keys(value).length > 0) {
        const type = field.message.typeName;
        if (type === "google.protobuf.Struct" || type === "google.protobuf.Value") blindPaths(value, `${path}.`, paths);
        else if (type === "google.protobuf.Any") paths.push(path);
        else walk(field.message, value, `${path}.`);
      } else {
        paths.push(path);
      }
    }
  };
  walk(bodyField.message, body, "");
  return paths.sort();
}

function blindPaths(object: JsonObject, prefix: string, paths: string[]): void {
  for (const [key, value] of Object.entries(object)) {
    if (isObject(value) && Object.keys(value).length > 0) blindPaths(value, `${prefix}${key}.`, paths);
    else paths.push(prefix + key);
  }
}

/**
 * A query key is a field path by proto or JSON names: `page_size`, `filter.name`; a map entry is
 * `mapped_string_value[key]`.
 */
function resolve(root: DescMessage, key: string): { fields: DescField[]; mapKey: string | undefined } | undefined {
  const entry = /^(.+)\[(.*)\]$/.exec(key);
  const path = entry === null ? key : entry[1]!;
  const fields: DescField[] = [];
  let message: DescMessage | undefined = root;
  for (const name of path.split(".")) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name || f.jsonName === name);
    if (field === undefined) return undefined;
    fields.push(field);
    message = field.fieldKind === "message" ? field.message : undefined;
  }
  // A map takes entries only, and only a map takes them.
  if ((fields.at(-1)!.fieldKind === "map") !== (entry !== null)) return undefined;
  return { fields, mapKey: entry?.[2] };
}

function isBound(route: Route, fields: readonly DescField[]): boolean {
  return route.body === "*" || bindingOf(route, fields) !== "free";
}

function getPath(json: JsonObject, fields: readonly DescField[]): unknown {
  let target: unknown = json;
  for (const field of fields) target = isObject(target) ? target[field.jsonName] : undefined;
  return target;
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
