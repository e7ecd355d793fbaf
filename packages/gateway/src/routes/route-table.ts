import { compareSpecificity, matchTemplate, shapeOf } from "./path-template.js";
import { RouteError, type Route } from "./route.js";

export type RouteMatch =
  | { kind: "found"; route: Route; params: Map<string, string> }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" };

/**
 * The routes, ordered by specificity once at start-up. Two routes matching exactly the same
 * requests are a start-up error, never a silent first-wins; so is a route on a path the gateway
 * serves itself (`reserved`), which the route could never get.
 */
export class RouteTable {
  private readonly byVerb = new Map<string, Route[]>();

  constructor(
    readonly routes: readonly Route[],
    reserved: (path: string) => boolean = () => false,
  ) {
    const seen = new Map<string, Route>();
    for (const route of routes) {
      if (reserved(route.template.source)) {
        throw new RouteError(`${route.verb} ${route.template.source} (${route.subject}) takes a path the gateway reserves`);
      }
      const key = `${route.verb} ${shapeOf(route.template)}`;
      const other = seen.get(key);
      if (other !== undefined) {
        throw new RouteError(
          `routes conflict: ${route.verb} ${route.template.source} (${route.subject}) and ` +
            `${other.verb} ${other.template.source} (${other.subject}) match the same requests`,
        );
      }
      seen.set(key, route);
      const list = this.byVerb.get(route.verb) ?? [];
      list.push(route);
      this.byVerb.set(route.verb, list);
    }
    for (const list of this.byVerb.values()) list.sort((a, b) => compareSpecificity(a.template, b.template));
  }

  match(verb: string, path: string): RouteMatch {
    const found = this.find(verb === "HEAD" ? "GET" : verb, path);
    if (found !== undefined) return { kind: "found", ...found };
    const allow = [...this.byVerb.keys()].filter((v) => v !== verb && this.find(v, path) !== undefined);
    return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "not-found" };
  }

  private find(verb: string, path: string): { route: Route; params: Map<string, string> } | undefined {
    for (const route of this.byVerb.get(verb) ?? []) {
      const params = matchTemplate(route.template, path);
      if (params !== undefined) return { route, params };
    }
    return undefined;
  }
}
