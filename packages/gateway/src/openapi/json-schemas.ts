import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { SchemaObject } from "./openapi-types.js";
import { commentsOf } from "./proto-comments.js";
import { joinText } from "./text.js";
import { WRAPPED_SCALARS } from "../transcode/well-known-types.js";

/**
 * JSON Schemas for Protobuf messages by the proto3 JSON mapping, which is what the gateway reads and
 * writes: lowerCamel JSON names, 64-bit integers as decimal strings, enums by name (numbers are
 * accepted too), bytes as base64, well-known types in their own JSON forms.
 *
 * Every message and enum gets one component named by its full name (`users.v1.User`), so recursive
 * messages are plain `$ref`s. The well-known types are inlined, since each is a scalar or a free-form
 * JSON value. A oneof's members are ordinary optional properties: the schema cannot say "at most one
 * of" without making the UI unreadable, so the message's description says it instead.
 */
export class SchemaBuilder {
  /** components.schemas, filled as messages and enums are referenced. */
  readonly components: Record<string, SchemaObject> = {};

  /** A reference to a message's component (built on first use), or a well-known type's JSON form. */
  message(message: DescMessage): SchemaObject {
    const wkt = wellKnownSchema(message);
    if (wkt !== undefined) return wkt;
    const name = message.typeName;
    if (!(name in this.components)) {
      // Placeholder first: a message that contains itself refers to its own component.
      this.components[name] = {};
      this.components[name] = this.messageBody(message, () => true);
    }
    return { $ref: componentRef(name) };
  }

  /**
   * A message without some of its fields: those bound by the path, which a request body need not
   * repeat. Paths are field-name paths from `message`; nested ones reach into sub-messages.
   */
  messageWithout(message: DescMessage, excluded: readonly (readonly DescField[])[]): SchemaObject {
    if (excluded.length === 0) return this.message(message);
    const schema = this.messageBody(message, (field) => !excluded.some((path) => path.length === 1 && path[0] === field));
    for (const field of message.fields) {
      const nested = excluded.filter((path) => path.length > 1 && path[0] === field).map((path) => path.slice(1));
      if (nested.length === 0 || field.fieldKind !== "message") continue;
      schema.properties![field.jsonName] = withDescription(this.messageWithout(field.message, nested), fieldDescription(field));
    }
    const bound = excluded.map((path) => path.map((f) => f.name).join("."));
    schema.description = joinText(schema.description, `${message.typeName} without ${bound.join(", ")}, which the path binds.`)!;
    return schema;
  }

  /** The schema of a field's value: its element or entry type, in an array or object as declared. */
  field(field: DescField): SchemaObject {
    const described = (schema: SchemaObject) => withDescription(schema, fieldDescription(field), field.deprecated);
    switch (field.fieldKind) {
      case "scalar":
        return described(scalarSchema(field.scalar));
      case "enum":
        return described(this.enum(field.enum));
      case "message":
        return described(this.message(field.message));
      case "list":
        return described({ type: "array", items: this.listItem(field) });
      case "map": {
        const value =
          field.mapKind === "scalar"
            ? scalarSchema(field.scalar)
            : field.mapKind === "enum"
              ? this.enum(field.enum)
              : this.message(field.message);
        const schema: SchemaObject = { type: "object", additionalProperties: value };
        const keys = mapKeySchema(field.mapKey);
        if (keys !== undefined) schema.propertyNames = keys;
        return described(schema);
      }
    }
  }

  /** The schema of one element of a repeated field. */
  listItem(field: DescField & { fieldKind: "list" }): SchemaObject {
    switch (field.listKind) {
      case "scalar":
        return scalarSchema(field.scalar);
      case "enum":
        return this.enum(field.enum);
      case "message":
        return this.message(field.message);
    }
  }

  /** An enum by name, or by number: fromJson takes both; replies carry the name. */
  enum(desc: DescEnum): SchemaObject {
    if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
    const name = desc.typeName;
    if (!(name in this.components)) {
      const schema: SchemaObject = {
        anyOf: [
          { type: "string", enum: desc.values.map((v) => v.name) },
          { type: "integer", format: "int32", description: "The value's number, accepted in requests." },
        ],
      };
      const text = joinText(
        commentsOf(desc),
        desc.values
          .map((v) => {
            const comment = commentsOf(v);
            return `- \`${v.name}\` (${v.number})${comment === undefined ? "" : `: ${comment}`}`;
          })
          .join("\n"),
      );
      if (text !== undefined) schema.description = text;
      if (desc.deprecated) schema.deprecated = true;
      this.components[name] = schema;
    }
    return { $ref: componentRef(name) };
  }

  private messageBody(message: DescMessage, keep: (field: DescField) => boolean): SchemaObject {
    const properties: Record<string, SchemaObject> = {};
    for (const field of message.fields) {
      if (!keep(field)) continue;
      const schema = this.field(field); // a fresh object: safe to annotate
      if (field.oneof !== undefined) {
        schema.description = joinText(schema.description, `Member of oneof \`${field.oneof.name}\`.`)!;
      }
      properties[field.jsonName] = schema;
    }
    const schema: SchemaObject = { type: "object", properties };
    const oneofs = message.oneofs.map(
      (o) => `Oneof \`${o.name}\`: set at most one of ${o.fields.map((f) => `\`${f.jsonName}\``).join(", ")}.`,
    );
    const text = joinText(commentsOf(message), ...oneofs);
    if (text !== undefined) schema.description = text;
    if (message.deprecated) schema.deprecated = true;
    return schema;
  }
}

export function componentRef(name: string): string {
  return `#/components/schemas/${name}`;
}

/** A scalar by the proto3 JSON mapping. */
export function scalarSchema(scalar: ScalarType): SchemaObject {
  switch (scalar) {
    case ScalarType.DOUBLE:
      return { type: "number", format: "double" };
    case ScalarType.FLOAT:
      return { type: "number", format: "float" };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: "integer", format: "int32" };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: "integer", format: "uint32", minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: "string", format: "int64", pattern: "^-?[0-9]+$" };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: "string", format: "uint64", pattern: "^[0-9]+$" };
    case ScalarType.BOOL:
      return { type: "boolean" };
    case ScalarType.STRING:
      return { type: "string" };
    case ScalarType.BYTES:
      return { type: "string", format: "byte", contentEncoding: "base64" };
  }
}

/** Map keys are JSON object keys, so always strings; say which strings for non-string keys. */
function mapKeySchema(key: ScalarType): SchemaObject | undefined {
  switch (key) {
    case ScalarType.STRING:
      return undefined;
    case ScalarType.BOOL:
      return { enum: ["true", "false"] };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { pattern: "^[0-9]+$" };
    default:
      return { pattern: "^-?[0-9]+$" };
  }
}


/** The well-known types whose JSON form is a single string or scalar (usable in a query). */
export function isScalarLikeWkt(message: DescMessage): boolean {
  return (
    message.typeName in WRAPPED_SCALARS ||
    message.typeName === "google.protobuf.Timestamp" ||
    message.typeName === "google.protobuf.Duration" ||
    message.typeName === "google.protobuf.FieldMask"
  );
}

/** The JSON form of a well-known type, or undefined for any other message. */
export function wellKnownSchema(message: DescMessage): SchemaObject | undefined {
  const name = message.typeName;
  const wrapped = WRAPPED_SCALARS[name];
  if (wrapped !== undefined) return { ...scalarSchema(wrapped), description: `${name}: the wrapped value, or null.` };
  switch (name) {
    case "google.protobuf.Timestamp":
      return { type: "string", format: "date-time", description: "RFC 3339, UTC: 1972-01-01T10:00:20.021Z" };
    case "google.protobuf.Duration":
      return { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$", description: "Seconds with an s suffix: 1.5s" };
    case "google.protobuf.FieldMask":
      return { type: "string", description: "Field paths in lowerCamelCase, comma-separated: firstName,lastName" };
    case "google.protobuf.Struct":
      return { type: "object", additionalProperties: true, description: "Any JSON object." };
    case "google.protobuf.Value":
      return { description: "Any JSON value." };
    case "google.protobuf.ListValue":
      return { type: "array", items: {}, description: "Any JSON array." };
    case "google.protobuf.Empty":
      return { type: "object", properties: {}, description: "An empty object." };
    case "google.protobuf.Any":
      return {
        type: "object",
        required: ["@type"],
        properties: { "@type": { type: "string", description: "type.googleapis.com/<full message name>" } },
        additionalProperties: true,
        description: "A message of the type @type names, with its fields beside @type (or under value for a well-known type).",
      };
    default:
      return undefined;
  }
}

function fieldDescription(field: DescField): string | undefined {
  return commentsOf(field);
}

/** A copy with a description put first (and deprecation), leaving the original untouched. */
function withDescription(schema: SchemaObject, description: string | undefined, deprecated = false): SchemaObject {
  const out: SchemaObject = { ...schema };
  const text = joinText(description, schema.description);
  if (text !== undefined) out.description = text;
  if (deprecated) out.deprecated = true;
  return out;
}
