import type { PathTemplate } from "../routes/path-template.js";
import { openApiPath, type OpenApiPathVariable } from "./openapi-path.js";
import type { OpenApiMethod, OperationObject, PathItemObject } from "./openapi-types.js";

/**
 * The document's paths, kept valid as operations are added. OpenAPI counts `/v1/{name}` and
 * `/v1/{item.name}` as the same path, which must appear once: a route whose path differs from an
 * earlier one only by parameter names joins that path item and takes its names (each parameter's
 * description still says which field it binds). Two routes the route table tells apart by their
 * multi-segment variables (`/v1/{name=shelves/*}`, `/v1/{name=books/*}`) can still meet on one
 * path and method: the later one is written expanded (`/v1/books/{name}`).
 */
export class PathItems {
  readonly paths: Record<string, PathItemObject> = {};
  private readonly byShape = new Map<string, string>();

  /** Where an operation of this template and method goes, with its path variables named for it. */
  place(template: PathTemplate, method: OpenApiMethod): { path: string; variables: OpenApiPathVariable[] } {
    for (const expand of [false, true]) {
      const { path, variables } = openApiPath(template, expand);
      const shape = shapeOf(path);
      const key = this.byShape.get(shape) ?? path;
      if (this.paths[key]?.[method] !== undefined) continue;
      const names = parameterNames(key);
      return { path: key, variables: variables.map((v, i) => ({ ...v, name: names[i]! })) };
    }
    const { path } = openApiPath(template);
    throw new Error(`OpenAPI: two routes are ${method.toUpperCase()} ${path}`);
  }

  add(path: string, method: OpenApiMethod, operation: OperationObject): void {
    const item = (this.paths[path] ??= {});
    if (item[method] !== undefined) throw new Error(`OpenAPI: two routes are ${method.toUpperCase()} ${path}`);
    item[method] = operation;
    const shape = shapeOf(path);
    if (!this.byShape.has(shape)) this.byShape.set(shape, path);
  }
}

function shapeOf(path: string): string {
  return path.replace(/\{[^}]*\}/g, "{}");
}

function parameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
}
