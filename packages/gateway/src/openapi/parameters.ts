import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { bindingOf, type Route } from "../routes/route.js";
import { isScalarLikeWkt, wellKnownSchema, type SchemaBuilder } from "./json-schemas.js";
import type { OpenApiPathVariable } from "./openapi-path.js";
import type { ParameterObject, SchemaObject } from "./openapi-types.js";
import { joinText } from "./text.js";

/** Query parameters reach no deeper than this into nested messages. */
const MAX_QUERY_DEPTH = 8;

/** The path parameters: required, typed by the field they bind, or by the part of it they fill. */
export function pathParameters(route: Route, variables: readonly OpenApiPathVariable[], schemas: SchemaBuilder): ParameterObject[] {
  return variables.map((v) => {
    const index = route.template.variables.indexOf(v.variable);
    const leaf = route.pathFields[index]!.at(-1)!;
    const field = v.variable.fieldPath.join(".");
    const { description, deprecated, ...schema } = schemas.field(leaf);
    const parameter: ParameterObject = { name: v.name, in: "path", required: true, schema };
    const notes: (string | undefined)[] = [];
    if (v.part !== undefined) {
      // One wildcard of an expanded variable. The field's own comment describes the whole value,
      // which this parameter is only a part of, so it says what the whole becomes instead.
      parameter.schema = { type: "string", pattern: v.part.deep ? "^.*$" : "^[^/]+$" };
      notes.push(`Fills the field \`${field}\`: the gateway sets it to \`${filledValue(route, v, variables)}\`.`);
      if (v.part.deep) notes.push("The rest of the path: slashes may be sent as they are or percent-encoded (%2F), both match.");
    } else {
      notes.push(description);
      if (v.multiSegment !== undefined) {
        // Collapsed: the value is several segments, a string of that shape sent with its slashes as they are.
        parameter.schema = { type: "string", pattern: v.multiSegment.pattern };
        parameter["x-path-template"] = v.multiSegment.template;
        notes.push(
          `Spans several path segments, slashes included: \`${v.multiSegment.template}\`. ` +
            "Send the slashes as they are; a percent-encoded slash (%2F) does not match.",
        );
      }
      if (v.name !== field) notes.push(`Binds the field \`${field}\`.`);
    }
    const text = joinText(...notes);
    if (text !== undefined) parameter.description = text;
    if (deprecated === true) parameter.deprecated = true;
    return parameter;
  });
}

/** An expanded variable's value with its parameters in place: `warehouses/{warehouse}/items/{item}`. */
function filledValue(route: Route, part: OpenApiPathVariable, variables: readonly OpenApiPathVariable[]): string {
  const names = variables.filter((v) => v.variable === part.variable).map((v) => `{${v.name}}`);
  const { start, end } = part.variable;
  let wildcard = 0;
  return route.template.segments
    .slice(start, end)
    .map((s) => (s.kind === "literal" ? s.value : names[wildcard++]!))
    .join("/");
}

/**
 * A query parameter for every field the path and body leave free, as the gateway binds them
 * (transcode/json-request.ts): named by proto field path (`page_size`, `filter.name`; the JSON names
 * work too), nested messages flattened with dots, repeated fields as repeated keys (`?tag=a&tag=b`).
 * Maps, free-form well-known types (Struct, Value, Any) and repeated messages have no query form.
 */
export function queryParameters(route: Route, schemas: SchemaBuilder): ParameterObject[] {
  if (route.body === "*") return [];
  const parameters: ParameterObject[] = [];
  const walk = (message: DescMessage, prefix: readonly DescField[], seen: ReadonlySet<DescMessage>): void => {
    for (const field of message.fields) {
      const path = [...prefix, field];
      const binding = bindingOf(route, path);
      if (binding === "bound") continue;
      const leaf = binding === "free" ? queryLeaf(field, schemas) : undefined;
      if (leaf !== undefined) {
        parameters.push(queryParameter(path, leaf));
        continue;
      }
      // Into plain messages only: a well-known type has its own JSON form, not fields.
      const plain = field.fieldKind === "message" && wellKnownSchema(field.message) === undefined;
      if (plain && !seen.has(field.message) && path.length < MAX_QUERY_DEPTH) {
        walk(field.message, path, new Set([...seen, field.message]));
      }
    }
  };
  walk(route.method.input, [], new Set([route.method.input]));
  return parameters;
}

/** The schema of a field as one query parameter, or undefined when it has none (or is a message to walk into). */
function queryLeaf(field: DescField, schemas: SchemaBuilder): { schema: SchemaObject; repeated: boolean } | undefined {
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      return { schema: schemas.field(field), repeated: false };
    case "message":
      return isScalarLikeWkt(field.message) ? { schema: schemas.field(field), repeated: false } : undefined;
    case "list":
      if (field.listKind === "message" && !isScalarLikeWkt(field.message)) return undefined;
      return { schema: schemas.field(field), repeated: true };
    case "map":
      return undefined;
  }
}

function queryParameter(path: readonly DescField[], leaf: { schema: SchemaObject; repeated: boolean }): ParameterObject {
  const field = path.at(-1)!;
  const { description, deprecated, ...schema } = leaf.schema;
  const parameter: ParameterObject = { name: path.map((f) => f.name).join("."), in: "query", schema };
  const jsonName = path.map((f) => f.jsonName).join(".");
  const text = joinText(description, jsonName === parameter.name ? undefined : `Also accepted as \`${jsonName}\`.`);
  if (text !== undefined) parameter.description = text;
  if (leaf.repeated) {
    parameter.style = "form";
    parameter.explode = true;
  }
  if (deprecated === true || field.deprecated) parameter.deprecated = true;
  return parameter;
}
