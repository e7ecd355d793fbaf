import { methodSubject } from "@switchyard/protocol";
import type { Route } from "../routes/route.js";
import type { AuthSettings } from "./auth-config.js";

/** What one route asks of a request's token. */
export interface RoutePolicy {
  /** A request without a token is refused (401). */
  readonly required: boolean;
  /** Scopes the token must carry, all of them (403 otherwise); any implies `required`. */
  readonly scopes: readonly string[];
}

/**
 * The policy of a route's RPC. AUTH_REQUIRE and AUTH_SCOPES name an RPC
 * (users.v1.UserService.DeleteUser) or a whole service (users.v1.UserService); every entry that
 * names the RPC or its service applies, so an RPC needs its own scopes and its service's.
 */
export function policyOf(settings: AuthSettings, route: Route): RoutePolicy {
  const names = namesOf(route);
  const scopes = new Set<string>();
  for (const name of names) for (const scope of settings.scopes.get(name) ?? []) scopes.add(scope);
  const listed = typeof settings.require === "string" ? settings.require === "all" : settings.require.some((n) => names.includes(n));
  return { required: listed || scopes.size > 0, scopes: [...scopes] };
}

/**
 * The AUTH_REQUIRE and AUTH_SCOPES names that no route's RPC or service has: most likely a typo,
 * which would leave the RPC meant open to anyone. The gateway warns of them at start-up (routes that
 * live services bring later may still match).
 */
export function unmatchedNames(settings: AuthSettings, routes: Iterable<Route>): string[] {
  const known = new Set<string>();
  for (const route of routes) for (const name of namesOf(route)) known.add(name);
  const named = [...(typeof settings.require === "string" ? [] : settings.require), ...settings.scopes.keys()];
  return [...new Set(named)].filter((name) => !known.has(name));
}

function namesOf(route: Route): string[] {
  return [route.method.parent.typeName, methodSubject(route.method)];
}
