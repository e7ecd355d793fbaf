import { fromJson, type DescField, type DescMessage, type JsonValue } from "@bufbuild/protobuf";

export interface JsonFault {
  /** Path of proto field names from the request message, e.g. "user.first_name" or "tags[2]". */
  field: string | undefined;
  reason: string;
}

/**
 * Finds which field of a JSON request made fromJson fail. protobuf-es names the field's type but
 * not its path, so on failure only (the hot path pays nothing) the JSON is walked again beside the
 * descriptor, one key at a time, down to the deepest field that does not decode.
 */
export function locateJsonFault(schema: DescMessage, json: unknown, prefix = ""): JsonFault {
  if (!isObject(json)) return { field: prefix || undefined, reason: `expected a JSON object, got ${describe(json)}` };
  for (const [key, value] of Object.entries(json)) {
    const field = fieldByKey(schema, key);
    const path = join(prefix, field?.name ?? key);
    if (field === undefined) return { field: path, reason: `unknown field "${key}"` };
    const error = decodeError(schema, { [key]: value as JsonValue });
    if (error === undefined) continue;
    if (field.fieldKind === "message" && !isWellKnown(field.message) && isObject(value)) {
      return locateJsonFault(field.message, value, path);
    }
    if (field.fieldKind === "list" && field.listKind === "message" && Array.isArray(value)) {
      const index = value.findIndex((item) => decodeError(field.message, item as JsonValue) !== undefined);
      const item: unknown = value[index];
      if (index !== -1 && isObject(item) && !isWellKnown(field.message)) {
        return locateJsonFault(field.message, item, `${path}[${index}]`);
      }
    }
    return { field: path, reason: reasonOf(error) };
  }
  // Each key decodes alone: the fault is between keys, such as one field given by both its names.
  const error = decodeError(schema, json as JsonValue);
  return { field: prefix || undefined, reason: error === undefined ? "invalid request" : reasonOf(error) };
}

function fieldByKey(schema: DescMessage, key: string): DescField | undefined {
  return schema.fields.find((f) => f.jsonName === key || f.name === key);
}

function decodeError(schema: DescMessage, json: JsonValue): Error | undefined {
  try {
    fromJson(schema, json);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** The FieldError's own words ("expected string, got 1") rather than the wrapper naming the type. */
function reasonOf(err: Error): string {
  const cause = err.cause;
  if (cause instanceof Error) return cause.message;
  return err.message.replace(/^cannot decode .*? from JSON: /, "");
}

function isWellKnown(message: DescMessage): boolean {
  return message.file.proto.package === "google.protobuf";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}
