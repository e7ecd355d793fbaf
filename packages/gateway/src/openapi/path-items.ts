import type { PathTemplate } from "../routes/path-template.js";
import { openApiPath, type OpenApiPathVariable, type PathForm } from "./openapi-path.js";
import type { OpenApiMethod, OperationObject, PathItemObject } from "./openapi-types.js";

/**
 * The document's paths, kept valid as operations are added. OpenAPI counts `/v1/{name}` and
 * `/v1/{item.name}` as the same path, which must appear once: a route whose path differs from an
 * earlier one only by parameter names joins that path item and takes its names (each parameter's
 * description still says which field it binds). A route is written in the expanded form
 * (openApiPath); where another route of the same method has that path already (`{name=files/*}`
 * and `{name=files/**}` are both `/v1/files/{file}`), or its names would clash with the route's
 * own query parameters, it is written collapsed.
 */
export class PathItems {
  readonly paths: Record<string, PathItemObject> = {};
  private readonly byShape = new Map<string, string>();

  /**
   * Where an operation of this template and method goes, with its path variables named for it;
   * `taken` are the names of the operation's other parameters.
   */
  place(template: PathTemplate, method: OpenApiMethod, taken: ReadonlySet<string>): { path: string; variables: OpenApiPathVariable[] } {
    const forms: PathForm[] = ["expanded", "collapsed"];
    for (const form of forms) {
      const { path, variables } = openApiPath(template, form, taken);
      const key = this.byShape.get(shapeOf(path)) ?? path;
      if (this.paths[key]?.[method] !== undefined) continue;
      const names = parameterNames(key);
      if (key !== path && names.some((name) => taken.has(name))) continue;
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
