/** Connections: `POST /users` in JSON (its rules checked by the service), over 10 to 1,000 connections, through one gateway and one reference. */
import { curvePoint, rssCheck, type CurvePoint, type CurveReport } from "../curve-report.js";
import type { Harness } from "../harness.js";
import { TARGETS } from "../report.js";
import { createUser } from "../requests.js";

export const CONNECTIONS_CURVE = "connections";
const COUNTS = [10, 50, 200, 1000];
/**
 * The gateway's MAX_IN_FLIGHT, 256 by default, raised to the most connections: past it the gateway
 * sheds load with 503 OVERLOADED by design, and the reference sheds none.
 */
const MAX_IN_FLIGHT = Math.max(...COUNTS);

export async function connectionsCurve(h: Harness, natsUrl: string): Promise<CurveReport> {
  const env = { NATS_URL: natsUrl };
  const [reference, gateway] = await Promise.all([
    h.startHttp("reference", "dist/bench-reference.mjs", env),
    h.startHttp("gateway", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn", MAX_IN_FLIGHT: `${MAX_IN_FLIGHT}` }),
  ]);
  const points: CurvePoint[] = [];
  // Fewest first: a heap grown for 1,000 connections would count in the smaller ones' peak RSS.
  for (const connections of COUNTS) {
    const pair = await h.measure({ name: `${CONNECTIONS_CURVE}: ${connections}`, scenario: createUser, baseline: reference, subject: gateway, connections, timing: h.settings.curve });
    points.push(curvePoint(`${connections}`, createUser.name, connections, pair));
  }
  await Promise.all([reference.child.stop(), gateway.child.stop()]);
  return {
    curve: CONNECTIONS_CURVE,
    axis: "connections",
    about: `POST /users in JSON, MAX_IN_FLIGHT=${MAX_IN_FLIGHT}`,
    points,
    checks: [rssCheck(points, "50", TARGETS.maxRssMb), rssCheck(points, "1000", 150)],
  };
}
