import type { DescService } from "@bufbuild/protobuf";
import type { Route } from "../routes/route.js";
import { JSON_CONTENT_TYPE, replySchema, requestBody } from "./bodies.js";
import { SchemaBuilder } from "./json-schemas.js";
import {
  OPENAPI_METHODS,
  type InfoObject,
  type OpenApiDocument,
  type OpenApiMethod,
  type OperationObject,
  type SchemaObject,
  type TagObject,
} from "./openapi-types.js";
import { pathParameters, queryParameters } from "./parameters.js";
import { PathItems } from "./path-items.js";
import { idempotencyApplies } from "../idempotency/idempotent-request.js";
import {
  operationErrorResponses,
  PROBLEM_SCHEMA,
  problemResponses,
  problemSchema,
  REQUEST_ID,
  requestIdHeader,
  requestIdParameter,
  idempotencyKeyParameter,
  IDEMPOTENCY_KEY_PARAMETER,
} from "./problem-responses.js";
import { commentsOf, firstLine } from "./proto-comments.js";
import { joinText } from "./text.js";

const DEFAULT_DESCRIPTION =
  "Generated at start-up from the Protobuf contracts' google.api.http annotations. Bodies are JSON by " +
  "the proto3 JSON mapping: lowerCamelCase names (proto names are accepted too), 64-bit integers as " +
  "strings, enums by name. Every error is application/problem+json with a stable code.";

/** The OpenAPI 3.1 document of the routes: the same descriptors the gateway routes and transcodes with. */
export function buildOpenApi(routes: readonly Route[], info: InfoObject): OpenApiDocument {
  const schemas = new SchemaBuilder();
  const names = serviceNames(routes.map((r) => r.method.parent));
  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info: { ...info, description: info.description ?? DEFAULT_DESCRIPTION },
    tags: [],
    paths: {},
    components: {
      schemas: { [PROBLEM_SCHEMA]: problemSchema() },
      responses: problemResponses(),
      parameters: { [REQUEST_ID]: requestIdParameter(), [IDEMPOTENCY_KEY_PARAMETER]: idempotencyKeyParameter() },
      headers: { [REQUEST_ID]: requestIdHeader() },
    },
  };
  const tags = new Map<DescService, TagObject>();
  const bindings = new Map<Route["method"], number>();
  const unlisted: string[] = [];
  const paths = new PathItems();

  for (const route of routes) {
    const service = route.method.parent;
    // Counted before any binding is left out, so operationIds stay put when one is.
    const binding = (bindings.get(route.method) ?? 0) + 1;
    bindings.set(route.method, binding);
    const method = OPENAPI_METHODS.find((m) => m === route.verb.toLowerCase()) as OpenApiMethod | undefined;
    if (method === undefined) {
      // OpenAPI 3.1 has no place for a custom verb such as LINK; say so rather than drop it silently.
      unlisted.push(`${route.verb} ${route.template.source} (${route.subject})`);
      continue;
    }
    const query = queryParameters(route, schemas);
    const { path, variables } = paths.place(route.template, method, new Set(query.map((p) => p.name)));
    const tag = names.get(service)!;
    if (!tags.has(service)) {
      tags.set(service, {
        name: tag,
        description: commentsOf(service) ?? `\`${service.typeName}\`: each RPC is a NATS request to \`${service.typeName}.{Rpc}\`.`,
      });
    }

    const comment = commentsOf(route.method);
    const parameters = [
      ...pathParameters(route, variables, schemas),
      ...query,
      { $ref: `#/components/parameters/${REQUEST_ID}` },
      ...(idempotencyApplies(route.method) ? [{ $ref: `#/components/parameters/${IDEMPOTENCY_KEY_PARAMETER}` }] : []),
    ];
    const body = requestBody(route, schemas);
    const reply = replySchema(route, schemas);
    const operation: OperationObject = {
      operationId: `${tag.replaceAll(".", "_")}_${route.method.name}${binding > 1 ? `_${binding}` : ""}`,
      summary: comment === undefined ? route.method.name : firstLine(comment),
      description: joinText(comment, `RPC \`${route.subject}\`, sent as a NATS request to that subject.`)!,
      tags: [tag],
      ...(route.method.deprecated ? { deprecated: true } : {}),
      parameters,
      ...(body === undefined ? {} : { requestBody: body }),
      responses: {
        "200": {
          description: reply.description,
          headers: { "x-request-id": { $ref: `#/components/headers/${REQUEST_ID}` } },
          content: route.method.methodKind === "server_streaming" ? streamContent(reply.schema) : { [JSON_CONTENT_TYPE]: { schema: reply.schema } },
        },
        ...operationErrorResponses(body !== undefined),
      },
      "x-nats-subject": route.subject,
    };

    paths.add(path, method, operation);
  }

  document.tags = [...tags.values()];
  document.paths = paths.paths;
  // Messages were added as referenced; sort them for a stable, readable document.
  document.components.schemas = Object.fromEntries(
    Object.entries({ ...document.components.schemas, ...schemas.components }).sort(([a], [b]) => a.localeCompare(b)),
  );
  if (unlisted.length > 0) document["x-unlisted-routes"] = unlisted;
  return document;
}

/** Tags and operationId prefixes: the service's name, or its full name where two packages share one. */
function serviceNames(services: readonly DescService[]): Map<DescService, string> {
  const unique = [...new Set(services)];
  const count = new Map<string, number>();
  for (const s of unique) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  return new Map(unique.map((s) => [s, count.get(s.name)! > 1 ? s.typeName : s.name]));
}

/**
 * A server-streaming RPC answers newline-delimited JSON, one `{"result": ...}` per message and a
 * last `{"error": ...}` if it fails midway, or server-sent events when the client accepts them.
 */
function streamContent(message: SchemaObject): Record<string, { schema: SchemaObject }> {
  return {
    "application/x-ndjson": {
      schema: {
        description: "One JSON object per line: each message as `result`; a failure after the first message as a last `error` (a problem object).",
        type: "object",
        properties: { result: message, error: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } },
      },
    },
    "text/event-stream": {
      schema: {
        type: "string",
        description: "Server-sent events: each message as the `data` of an event whose `id` is its sequence number; `event: error` with a problem object on failure; `event: end` when the stream is complete.",
      },
    },
  };
}
