/**
 * Body size: `POST /echo` with a batch of items of 1 KB to 512 KB, sent back as it came, in JSON
 * (transcoded both ways) and in Protobuf (passed through), through one gateway and one reference.
 */
import { curvePoint, throughputCheck, type CurvePoint, type CurveReport } from "../curve-report.js";
import { TSX, type Harness } from "../harness.js";
import { ECHO_SERVICE } from "../echo-contract.js";
import { waitUntil } from "../processes.js";
import { echoBatch, type Codec } from "../requests.js";

export const BODY_CURVE = "body size";
const SIZES_KB = [1, 16, 64, 512];
const CODECS: Codec[] = ["JSON", "Protobuf"];
/**
 * Fewer than the other scenarios' 50: 50 bodies of 512 KB arriving at once are over the gateway's
 * default budget for bodies in flight (16 MiB, then 503 OVERLOADED by design), and 50 decoded
 * batches of 12,000 items over the production heap limit, the reference's as much as the gateway's.
 */
const CONNECTIONS = 10;

export async function bodyCurve(h: Harness, natsUrl: string): Promise<CurveReport> {
  const env = { NATS_URL: natsUrl };
  const service = await h.startService("bench service", "bench/src/bench-service.ts", { ...env, LOG_LEVEL: "warn" }, `${ECHO_SERVICE}.Echo`, TSX);
  const [reference, gateway] = await Promise.all([
    h.startHttp("reference", "dist/bench-reference.mjs", env),
    h.startHttp("gateway", "dist/gateway.mjs", { ...env, LOG_LEVEL: "warn", ACCEPT_SERVICE_CONTRACTS: "true" }),
  ]);
  // The carried route comes with the first discovery after start-up.
  await waitUntil(gateway.child, async () => (await fetch(`${gateway.url}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).ok);

  const points: CurvePoint[] = [];
  for (const kb of SIZES_KB) {
    for (const codec of CODECS) {
      const scenario = echoBatch(kb * 1024, codec);
      const label = `${kb} KB ${codec}`;
      const pair = await h.measure({ name: `${BODY_CURVE}: ${label}`, scenario, baseline: reference, subject: gateway, connections: CONNECTIONS, timing: h.settings.curve });
      points.push(curvePoint(label, `${scenario.name}, ${scenario.bodyBytes} bytes`, CONNECTIONS, pair));
    }
  }
  await Promise.all([reference.child.stop(), gateway.child.stop(), service.stop()]);
  return {
    curve: BODY_CURVE,
    axis: "body",
    about: `POST /echo, a batch of items sent back as it came: JSON transcoded both ways, Protobuf passed through; ${CONNECTIONS} connections`,
    points,
    checks: CODECS.map((codec) => throughputCheck(points, `64 KB ${codec}`, 1.0)),
  };
}
