// The shape of a /_/stats reading (packages/gateway/src/http/admin-routes.ts), and a check that a
// reply has it before anything is drawn from it.

/**
 * @typedef {{ natsConnected: boolean, natsServer: string, uptimeSeconds: number, trafficPolicies: string }} GatewayState
 * @typedef {{ service: string, language: string, version: string, deployment: string, id: string, natsServer: string,
 *   uptimeSeconds: number | null, requests: number, errors: number, averageProcessingMs: number }} InstanceView
 * @typedef {{ deployment: string, languages: string[], versions: string[], instances: number,
 *   weight: number | null, weightShare: number | null, share: number, requests: number, errors: number,
 *   rps: number, errorRate: number, p50Ms: number | null, p99Ms: number | null, fallbacks: number,
 *   series?: { requests: number[], errors: number[] } }} DeploymentView
 * @typedef {{ method: string, path: string, rpc: string, subject: string, instances: InstanceView[],
 *   policyRevision: number | null, shadow: string | null, deployments: DeploymentView[], unattributed: number }} RouteView
 * @typedef {{ deployment: string, status: "ok" | "error", reply?: unknown, code?: string, field?: string }} ShownReply
 * @typedef {{ at: string, requestId: string, request: unknown, primary: ShownReply, shadow: ShownReply, fields: string[] }} MismatchPair
 * @typedef {{ rpc: string, shadow: string, sent: number, compared: number, mismatches: number, mismatchRate: number,
 *   fields: { field: string, mismatches: number }[], latestMismatch: MismatchPair | null }} ShadowView
 * @typedef {{ service: string, digests: string[], reason: string }} Conflict
 * @typedef {{ at: string, gateway: GatewayState, routes: RouteView[], shadow: ShadowView[], conflicts: Conflict[] }} Stats
 */

/**
 * The reading, or an Error saying what is wrong with it. Values are shown as text whatever they
 * hold; this only keeps the drawing code from tripping over a reply of another shape.
 * @param {unknown} body
 * @returns {Stats | Error}
 */
export function readStats(body) {
  if (!isObject(body)) return new Error("the reply is not a JSON object");
  const { at, gateway, routes, shadow, conflicts } = body;
  if (typeof at !== "string" || Number.isNaN(Date.parse(at))) return new Error("the reply has no time");
  if (!isObject(gateway) || typeof gateway.natsConnected !== "boolean") return new Error("the reply has no gateway state");
  if (!Array.isArray(routes) || !routes.every(isRoute)) return new Error("the reply's routes are not readable");
  if (!Array.isArray(shadow) || !shadow.every(isObject)) return new Error("the reply's shadow reports are not readable");
  if (!Array.isArray(conflicts) || !conflicts.every(isObject)) return new Error("the reply's conflicts are not readable");
  return /** @type {Stats} */ (body);
}

/** @param {unknown} x @returns {x is Record<string, any>} */
function isObject(x) {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** @param {unknown} r */
function isRoute(r) {
  return (
    isObject(r) &&
    typeof r.method === "string" &&
    typeof r.path === "string" &&
    typeof r.rpc === "string" &&
    Array.isArray(r.instances) &&
    r.instances.every(isObject) &&
    Array.isArray(r.deployments) &&
    r.deployments.every((/** @type {unknown} */ d) => isObject(d) && typeof d.deployment === "string")
  );
}
