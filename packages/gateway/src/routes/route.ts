import { getOption, type DescField, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http, type HttpRule } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { parseTemplate, TemplateError, type PathTemplate } from "./path-template.js";

export type HttpVerb = "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | (string & {});

/** One HTTP binding of an RPC, compiled at start-up from its google.api.http rule. */
export interface Route {
  readonly verb: HttpVerb;
  readonly template: PathTemplate;
  readonly method: DescMethod;
  readonly subject: string;
  /** "*" for the whole request, a top-level field for that field, undefined for no body. */
  readonly body: "*" | DescField | undefined;
  /** The reply field sent as the HTTP body instead of the whole reply. */
  readonly responseBody: DescField | undefined;
  /** Fields bound by the path, as field-name paths (["user", "id"]). */
  readonly pathFields: readonly (readonly DescField[])[];
  /**
   * A PATCH whose body is one message field and whose request has a FieldMask `update_mask`: when
   * the client sends no mask, it is the fields present in the body (as grpc-gateway does).
   */
  readonly updateMask: DescField | undefined;
}

export class RouteError extends Error {
  override readonly name = "RouteError";
}

/** Every route of the services' annotated RPCs; an RPC with no google.api.http rule gets none. */
export function routesOf(services: Iterable<DescService>): Route[] {
  const routes: Route[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      const rule = getOption(method, http);
      if (rule.pattern.case === undefined) continue;
      if (method.methodKind !== "unary") {
        throw new RouteError(`${methodSubject(method)}: only unary RPCs can have HTTP routes`);
      }
      routes.push(compileRule(method, rule));
      for (const extra of rule.additionalBindings) {
        if (extra.additionalBindings.length > 0) {
          throw new RouteError(`${methodSubject(method)}: additional_bindings cannot nest`);
        }
        routes.push(compileRule(method, extra));
      }
    }
  }
  return routes;
}

function compileRule(method: DescMethod, rule: HttpRule): Route {
  const { verb, path } = verbAndPath(method, rule);
  let template: PathTemplate;
  try {
    template = parseTemplate(path);
  } catch (err) {
    if (err instanceof TemplateError) throw new RouteError(`${methodSubject(method)}: ${err.message}`);
    throw err;
  }
  const pathFields = template.variables.map((v) => resolveFieldPath(method, method.input, v.fieldPath));
  for (const fields of pathFields) {
    const leaf = fields.at(-1)!;
    if (leaf.fieldKind !== "scalar" && leaf.fieldKind !== "enum") {
      throw new RouteError(`${methodSubject(method)}: path variable ${fields.map((f) => f.name).join(".")} must be a scalar or enum field`);
    }
  }
  const body = bodyOf(method, rule.body);
  return {
    verb,
    template,
    method,
    subject: methodSubject(method),
    body,
    responseBody: responseBodyOf(method, rule.responseBody),
    pathFields,
    updateMask: verb === "PATCH" && body !== "*" && body?.fieldKind === "message" ? updateMaskOf(method) : undefined,
  };
}

function updateMaskOf(method: DescMethod): DescField | undefined {
  const field = method.input.fields.find((f) => f.name === "update_mask");
  return field?.fieldKind === "message" && field.message.typeName === "google.protobuf.FieldMask" ? field : undefined;
}

function verbAndPath(method: DescMethod, rule: HttpRule): { verb: HttpVerb; path: string } {
  switch (rule.pattern.case) {
    case "get":
      return { verb: "GET", path: rule.pattern.value };
    case "put":
      return { verb: "PUT", path: rule.pattern.value };
    case "post":
      return { verb: "POST", path: rule.pattern.value };
    case "delete":
      return { verb: "DELETE", path: rule.pattern.value };
    case "patch":
      return { verb: "PATCH", path: rule.pattern.value };
    case "custom":
      return { verb: rule.pattern.value.kind.toUpperCase(), path: rule.pattern.value.path };
    default:
      throw new RouteError(`${methodSubject(method)}: google.api.http rule has no pattern`);
  }
}

function bodyOf(method: DescMethod, body: string): Route["body"] {
  if (body === "") return undefined;
  if (body === "*") return "*";
  const field = method.input.fields.find((f) => f.name === body);
  if (field === undefined) throw new RouteError(`${methodSubject(method)}: body "${body}" is not a field of ${method.input.typeName}`);
  return field;
}

function responseBodyOf(method: DescMethod, name: string): DescField | undefined {
  if (name === "") return undefined;
  const field = method.output.fields.find((f) => f.name === name);
  if (field === undefined) {
    throw new RouteError(`${methodSubject(method)}: response_body "${name}" is not a field of ${method.output.typeName}`);
  }
  return field;
}

function resolveFieldPath(method: DescMethod, root: DescMessage, path: readonly string[]): DescField[] {
  const fields: DescField[] = [];
  let message: DescMessage | undefined = root;
  for (const name of path) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name);
    if (field === undefined) {
      throw new RouteError(`${methodSubject(method)}: path variable ${path.join(".")} is not a field of ${root.typeName}`);
    }
    if (field.fieldKind === "list" || field.fieldKind === "map") {
      throw new RouteError(`${methodSubject(method)}: path variable ${path.join(".")} cannot be repeated or a map`);
    }
    fields.push(field);
    message = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

/**
 * How a route binds a field (given as its path from the request message): "bound" when the path or
 * the body field sets it or a field that contains it; "partly" when the path sets a field inside it
 * (its other sub-fields remain free); "free" otherwise. A body of "*" is left to the caller.
 * The transcoder and the OpenAPI query parameters both follow this.
 */
export function bindingOf(route: Route, path: readonly DescField[]): "bound" | "partly" | "free" {
  if (route.body !== undefined && route.body !== "*" && path[0] === route.body) return "bound";
  let partly = false;
  for (const bound of route.pathFields) {
    if (bound.length <= path.length && bound.every((f, i) => path[i] === f)) return "bound";
    if (path.every((f, i) => bound[i] === f)) partly = true;
  }
  return partly ? "partly" : "free";
}
