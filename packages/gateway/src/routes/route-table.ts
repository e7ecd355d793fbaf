import { bindVariables, shapeOf, type PathTemplate } from "./path-template.js";
import { RouteError, type RefusedBinding, type Route } from "./route.js";
import { SegmentTrie } from "./segment-trie.js";

export type RouteMatch =
  | { kind: "found"; route: Route; params: Map<string, string> }
  | { kind: "refused"; binding: RefusedBinding }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" };

type Entry = { route: Route; refused?: undefined } | { route?: undefined; refused: RefusedBinding };

/**
 * The routes, in a segment tree per method built once at start-up: the most specific template
 * matches, whatever the declaration order and however many routes there are. Two routes matching exactly the same
 * requests are a start-up error, never a silent first-wins; so is a route on a path the gateway
 * serves itself (`reserved`), which the route could never get. Bindings the gateway refused keep
 * their place in the order, so that a request meant for one is refused rather than taken by a less
 * specific route of another RPC.
 */
export class RouteTable {
  private readonly byVerb = new Map<string, SegmentTrie<Entry>>();
  private readonly byRpcPath = new Map<string, Route>();

  constructor(
    readonly routes: readonly Route[],
    reserved: (path: string) => boolean = () => false,
    readonly refused: readonly RefusedBinding[] = [],
    /** The RPC paths (rpcRoutesOf), matched exactly and only where no REST route does. */
    readonly rpcs: readonly Route[] = [],
  ) {
    for (const route of rpcs) this.byRpcPath.set(route.template.source, route);
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
      this.add(route.verb, route.template, { route });
    }
    for (const binding of refused) {
      if (binding.verb === undefined || binding.template === undefined) continue;
      if (seen.has(`${binding.verb} ${shapeOf(binding.template)}`)) continue;
      this.add(binding.verb, binding.template, { refused: binding });
    }
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

  /** The RPC whose path this is (`/<package>.<Service>/<Method>`), if any. */
  matchRpc(path: string): Route | undefined {
    return this.byRpcPath.get(path);
  }

  private add(verb: string, template: PathTemplate, entry: Entry): void {
    let trie = this.byVerb.get(verb);
    if (trie === undefined) this.byVerb.set(verb, (trie = new SegmentTrie<Entry>()));
    trie.add(template, entry);
  }

  private find(verb: string, path: string): { entry: Entry; params: Map<string, string> } | undefined {
    const found = this.byVerb.get(verb)?.find(path);
    if (found === undefined) return undefined;
    const params = bindVariables(found.template, found.parts);
    return params === undefined ? undefined : { entry: found.value, params };
  }
}
