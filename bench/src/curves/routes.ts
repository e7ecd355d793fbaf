/**
 * Routes: the same request through gateways serving 1, 100 and 1,000 generated RPCs, each RPC its
 * own route (many-routes.ts, carried by the bench service as production carries a contract), each
 * against the reference, whose one pattern costs the same whatever the count. A fresh gateway and
 * service per point, so that only one contract's size is served at a time.
 */
import { curvePoint, growthCheck, type CurvePoint, type CurveReport } from "../curve-report.js";
import { TSX, type Harness } from "../harness.js";
import { MANY_ROUTES_SERVICE } from "../many-routes.js";
import { httpOk, waitUntil } from "../processes.js";
import { lastRoute } from "../requests.js";

export const ROUTES_CURVE = "routes";
const COUNTS = [1, 100, 1000];

export async function routesCurve(h: Harness, natsUrl: string): Promise<CurveReport> {
  const env = { NATS_URL: natsUrl };
  const reference = await h.startHttp("reference", "dist/bench-reference.mjs", env);
  const points: CurvePoint[] = [];
  for (const count of COUNTS) {
    const scenario = lastRoute(count);
    const serviceEnv = { ...env, BENCH_ROUTES: `${count}`, LOG_LEVEL: "warn" };
    const service = await h.startService(`bench service (${count} routes)`, "bench/src/bench-service.ts", serviceEnv, `${MANY_ROUTES_SERVICE}.Rpc${count - 1}`, TSX);
    const gateway = await h.startHttp("gateway", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn", ACCEPT_SERVICE_CONTRACTS: "true" });
    // The carried routes come with the first discovery after start-up.
    await waitUntil(gateway.child, () => httpOk(`${gateway.url}${scenario.requests[0]!.path}`));
    const pair = await h.measure({ name: `${ROUTES_CURVE}: ${count}`, scenario, baseline: reference, subject: gateway, timing: h.settings.curve });
    points.push(curvePoint(`${count}`, scenario.name, h.settings.connections, pair));
    await gateway.child.stop();
    await service.stop();
  }
  await reference.child.stop();
  return {
    curve: ROUTES_CURVE,
    axis: "RPCs served",
    about: `GET /r<n-1>/bench, the last of n generated routes (a carried contract, beside the project's own), ${h.settings.connections} connections`,
    points,
    checks: [growthCheck(points, "1", "1000", 0.95)],
  };
}
