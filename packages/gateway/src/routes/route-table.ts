import { compareSpecificity, matchTemplate, shapeOf, type PathTemplate } from "./path-template.js";
import { RouteError, type RefusedBinding, type Route } from "./route.js";

export type RouteMatch =
  | { kind: "found"; route: Route; params: Map<string, string> }
  | { kind: "refused"; binding: RefusedBinding }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" };

type Entry = { template: PathTemplate; route: Route; refused?: undefined } | { template: PathTemplate; route?: undefined; refused: RefusedBinding };

/**
 * The routes, ordered by specificity once at start-up. Two routes matching exactly the same
 * requests are a start-up error, never a silent first-wins; so is a route on a path the gateway
 * serves itself (`reserved`), which the route could never get. Bindings the gateway refused keep
 * their place in the order, so that a request meant for one is refused rather than taken by a less
 * specific route of another RPC.
 */
export class RouteTable {
  private readonly byVerb = new Map<string, Entry[]>();

  constructor(
    readonly routes: readonly Route[],
    reserved: (path: string) => boolean = () => false,
    readonly refused: readonly RefusedBinding[] = [],
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
      this.add(route.verb, { template: route.template, route });
    }
    for (const binding of refused) {
      if (binding.verb === undefined || binding.template === undefined) continue;
      if (seen.has(`${binding.verb} ${shapeOf(binding.template)}`)) continue;
      this.add(binding.verb, { template: binding.template, refused: binding });
    }
    for (const list of this.byVerb.values()) list.sort((a, b) => compareSpecificity(a.template, b.template));
  }

  match(verb: string, path: string): RouteMatch {
    // HEAD is GET without the body, unless the contract binds HEAD itself.
    const entry = this.find(verb, path) ?? (verb === "HEAD" ? this.find("GET", path) : undefined);
    if (entry !== undefined) {
      return entry.entry.route !== undefined
        ? { kind: "found", route: entry.entry.route, params: entry.params }
        : { kind: "refused", binding: entry.entry.refused };
    }
    const allow = [...this.byVerb.keys()].filter((v) => v !== verb && this.find(v, path) !== undefined);
    return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "not-found" };
  }

  private add(verb: string, entry: Entry): void {
    const list = this.byVerb.get(verb) ?? [];
    list.push(entry);
    this.byVerb.set(verb, list);
  }

  private find(verb: string, path: string): { entry: Entry; params: Map<string, string> } | undefined {
    for (const entry of this.byVerb.get(verb) ?? []) {
      const params = matchTemplate(entry.template, path);
      if (params !== undefined) return { entry, params };
    }
    return undefined;
  }
}
