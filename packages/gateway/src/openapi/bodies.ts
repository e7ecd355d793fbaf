import type { Route } from "../routes/route.js";
import type { SchemaBuilder } from "./json-schemas.js";
import type { RequestBodyObject, SchemaObject } from "./openapi-types.js";

export const JSON_CONTENT_TYPE = "application/json";

/**
 * The JSON body a route reads: the whole request for body "*", that field's value for body "field",
 * none otherwise. Fields the path binds are left out: the path wins over the body anyway.
 */
export function requestBody(route: Route, schemas: SchemaBuilder): RequestBodyObject | undefined {
  const { body, pathFields, method } = route;
  if (body === undefined) return undefined;
  let schema: SchemaObject;
  let description: string;
  if (body === "*") {
    schema = schemas.messageWithout(method.input, pathFields);
    description = `${method.input.typeName}, by the proto3 JSON mapping.`;
  } else {
    const inside = pathFields.filter((path) => path[0] === body && path.length > 1).map((path) => path.slice(1));
    schema = body.fieldKind === "message" ? schemas.messageWithout(body.message, inside) : schemas.field(body);
    description = `The \`${body.name}\` field of ${method.input.typeName}, by the proto3 JSON mapping.`;
  }
  return { description, content: { [JSON_CONTENT_TYPE]: { schema } } };
}

/** The JSON a successful call answers with: the whole reply, or its response_body field. */
export function replySchema(route: Route, schemas: SchemaBuilder): { schema: SchemaObject; description: string } {
  const { responseBody, method } = route;
  if (responseBody === undefined) {
    return { schema: schemas.message(method.output), description: `${method.output.typeName}, by the proto3 JSON mapping.` };
  }
  return {
    schema: schemas.field(responseBody),
    description: `The \`${responseBody.name}\` field of ${method.output.typeName}, by the proto3 JSON mapping.`,
  };
}
