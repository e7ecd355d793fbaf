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
  /** "*" for the whole request, the (leaf) field the body fills, or undefined for no body. */
  readonly body: "*" | DescField | undefined;
  /** The field path of a body field from the request message: [payload, input_value]; empty otherwise. */
  readonly bodyPath: readonly DescField[];
  /** The reply field sent as the HTTP body instead of the whole reply. */
  readonly responseBody: DescField | undefined;
  /** Fields bound by the path, as field-name paths (["user", "id"]); a repeated leaf takes "a,b,c". */
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

/**
 * A binding the gateway cannot serve. It is reported and left out; its other bindings and the rest
 * of its service are served. When its template parses, requests that match it are answered
 * BINDING_NOT_SERVED instead of falling through to another route.
 */
export interface RefusedBinding {
  readonly verb: HttpVerb | undefined;
  readonly path: string;
  readonly subject: string;
  readonly reason: string;
  readonly template: PathTemplate | undefined;
}

export interface Routes {
  readonly routes: Route[];
  readonly refused: RefusedBinding[];
}

/**
 * The RPC paths of these services, one per RPC whatever its google.api.http annotation:
 * `POST /<package>.<Service>/<Method>`, where Connect and gRPC-Web clients call it. Client and
 * bidirectional streaming RPCs have none: HTTP/1.1 request/reply cannot carry them.
 */
export function rpcRoutesOf(services: Iterable<DescService>): Route[] {
  const routes: Route[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") continue;
      routes.push({
        verb: "POST",
        template: parseTemplate(`/${service.typeName}/${method.name}`),
        method,
        subject: methodSubject(method),
        body: "*",
        bodyPath: [],
        responseBody: undefined,
        pathFields: [],
        updateMask: undefined,
      });
    }
  }
  return routes;
}

/** The routes the gateway serves for these services (the refused bindings: `bindingsOf`). */
export function routesOf(services: Iterable<DescService>): Route[] {
  return bindingsOf(services).routes;
}

/** Every binding of the services' annotated RPCs; an RPC with no google.api.http rule has none. */
export function bindingsOf(services: Iterable<DescService>): Routes {
  const routes: Route[] = [];
  const refused: RefusedBinding[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      const rule = getOption(method, http);
      if (rule.pattern.case === undefined) continue;
      const rules = [rule, ...rule.additionalBindings];
      for (const [i, binding] of rules.entries()) {
        try {
          if (i > 0 && binding.additionalBindings.length > 0) throw new RouteError("additional_bindings cannot nest");
          if (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming") {
            throw new RouteError("client and bidirectional streaming cannot be served over HTTP/1.1 request/reply");
          }
          routes.push(compileRule(method, binding));
        } catch (err) {
          if (!(err instanceof RouteError)) throw err;
          refused.push(refusal(method, binding, err.message));
        }
      }
    }
  }
  return { routes, refused };
}

function refusal(method: DescMethod, rule: HttpRule, reason: string): RefusedBinding {
  let verb: HttpVerb | undefined;
  let path = "";
  let template: PathTemplate | undefined;
  try {
    ({ verb, path } = verbAndPath(rule));
    template = parseTemplate(path);
  } catch {
    // Unparsable: nothing can match it, so there is nothing to guard.
  }
  return { verb, path, subject: methodSubject(method), reason: reason.replace(`${methodSubject(method)}: `, ""), template };
}

function compileRule(method: DescMethod, rule: HttpRule): Route {
  const { verb, path } = verbAndPath(rule);
  let template: PathTemplate;
  try {
    template = parseTemplate(path);
  } catch (err) {
    if (err instanceof TemplateError) throw new RouteError(err.message);
    throw err;
  }
  const pathFields = template.variables.map((v) => resolveFieldPath(method.input, v.fieldPath, "path variable"));
  for (const fields of pathFields) {
    const leaf = fields.at(-1)!;
    const kind = leaf.fieldKind === "list" ? leaf.listKind : leaf.fieldKind;
    if (kind !== "scalar" && kind !== "enum") {
      throw new RouteError(`path variable ${fields.map((f) => f.name).join(".")} must be a scalar or enum field`);
    }
  }
  const bodyPath = rule.body === "" || rule.body === "*" ? [] : resolveFieldPath(method.input, rule.body.split("."), "body");
  const body = rule.body === "*" ? "*" : bodyPath.at(-1);
  return {
    verb,
    template,
    method,
    subject: methodSubject(method),
    body,
    bodyPath,
    responseBody: responseBodyOf(method, rule.responseBody),
    pathFields,
    updateMask: verb === "PATCH" && body !== "*" && body?.fieldKind === "message" ? updateMaskOf(method) : undefined,
  };
}

function updateMaskOf(method: DescMethod): DescField | undefined {
  const field = method.input.fields.find((f) => f.name === "update_mask");
  return field?.fieldKind === "message" && field.message.typeName === "google.protobuf.FieldMask" ? field : undefined;
}

function verbAndPath(rule: HttpRule): { verb: HttpVerb; path: string } {
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
      throw new RouteError("google.api.http rule has no pattern");
  }
}

function responseBodyOf(method: DescMethod, name: string): DescField | undefined {
  if (name === "") return undefined;
  const field = method.output.fields.find((f) => f.name === name);
  if (field === undefined) {
    throw new RouteError(`response_body "${name}" is not a field of ${method.output.typeName}`);
  }
  return field;
}

/** A field path of the request (path variable or body): only its last field may be repeated or a map. */
function resolveFieldPath(root: DescMessage, path: readonly string[], what: string): DescField[] {
  const fields: DescField[] = [];
  let message: DescMessage | undefined = root;
  for (const [i, name] of path.entries()) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name);
    if (field === undefined) throw new RouteError(`${what} ${path.join(".")} is not a field of ${root.typeName}`);
    if ((field.fieldKind === "map" || field.fieldKind === "list") && i < path.length - 1) {
      throw new RouteError(`${what} ${path.join(".")} cannot go through a repeated field or a map`);
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
  const body = route.bodyPath;
  if (body.length > 0 && body.length <= path.length && body.every((f, i) => path[i] === f)) return "bound";
  let partly = body.length > path.length && path.every((f, i) => body[i] === f);
  for (const bound of route.pathFields) {
    if (bound.length <= path.length && bound.every((f, i) => path[i] === f)) return "bound";
    if (path.every((f, i) => bound[i] === f)) partly = true;
  }
  return partly ? "partly" : "free";
}
