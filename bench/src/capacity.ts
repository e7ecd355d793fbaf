/**
 * Capacity on paper (README): what one request costs each process on its path, in CPU time, so that
 * a core's worth of each can be divided out; and what a create waits for, JetStream included.
 * - Under load (the bench's connections): req/s through the whole stack and CPU µs per request of
 *   the gateway, the users-ts instance and nats-server, for GET / (Ping) and POST /users (JSON).
 * - One connection, one request at a time: the latency of each, so that POST minus GET is what a
 *   create adds (validation, two JetStream KV writes: the user and its email claim).
 * - The instance's own $SRV.STATS: its average processing time per RPC over the whole run.
 */
import { connect } from "@nats-io/transport-node";
import type { NatsServer } from "@switchyard/testing";
import type { Harness, Side } from "./harness.js";
import { runLoad } from "./load.js";
import { cpuMs, type Child } from "./processes.js";
import { createUser, ping } from "./requests.js";

export const CAPACITY = "capacity";

export interface CapacityRow {
  scenario: string;
  reqPerSec: number;
  /** CPU µs per request. */
  gatewayUs: number;
  serviceUs: number;
  natsUs: number;
  /** One connection, one request at a time. */
  sequentialP50Ms: number;
  sequentialP99Ms: number;
  /** The instance's average processing time for the RPC, from $SRV.STATS. */
  serviceProcessingMs: number;
}

export interface CapacityReport {
  connections: number;
  durationS: number;
  rows: CapacityRow[];
}

const RPCS: Record<string, string> = { [ping.name]: "Ping", [createUser.name]: "CreateUser" };
const SEQUENTIAL_S = 3;

export async function capacity(h: Harness, nats: NatsServer, service: Child, durationS: number, connections: number): Promise<CapacityReport> {
  const gateway: Side = await h.startHttp("gateway (capacity)", "dist/gateway.mjs", { NATS_URL: nats.url, LOG_LEVEL: "warn" });
  const rows: CapacityRow[] = [];
  try {
    for (const scenario of [ping, createUser]) {
      await runLoad(gateway.url, scenario, connections, 2);
      const pids = [gateway.child.pid, service.pid, nats.pid];
      const before = pids.map(cpuMs);
      const run = await runLoad(gateway.url, scenario, connections, durationS);
      const used = pids.map((pid, i) => ((cpuMs(pid) - before[i]!) * 1000) / Math.max(1, run.total));
      if (run.errors > 0 || run.non2xx > 0) h.failures.push(`${CAPACITY} ${scenario.name}: ${run.errors} errors, ${run.non2xx} non-2xx`);
      const sequential = await runLoad(gateway.url, scenario, 1, SEQUENTIAL_S);
      rows.push({
        scenario: scenario.name,
        reqPerSec: run.reqPerSec,
        gatewayUs: used[0]!,
        serviceUs: used[1]!,
        natsUs: used[2]!,
        sequentialP50Ms: sequential.p50Ms,
        sequentialP99Ms: sequential.p99Ms,
        serviceProcessingMs: Number.NaN,
      });
    }
    const processing = await processingMs(nats.url);
    for (const row of rows) row.serviceProcessingMs = processing.get(RPCS[row.scenario] ?? "") ?? Number.NaN;
  } finally {
    await gateway.child.stop();
  }
  return { connections, durationS, rows };
}

/** Average processing time per endpoint name of the users instance(s), in ms. */
async function processingMs(natsUrl: string): Promise<Map<string, number>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const reply = await nc.request("$SRV.STATS.users", undefined, { timeout: 2_000 });
    const stats = reply.json<{ endpoints: { name: string; average_processing_time: number }[] }>();
    return new Map(stats.endpoints.map((e) => [e.name, e.average_processing_time / 1e6]));
  } finally {
    await nc.close();
  }
}

export function formatCapacity(r: CapacityReport): string {
  const header = `capacity (${r.connections} connections, ${r.durationS} s; sequential: 1 connection, ${SEQUENTIAL_S} s)`;
  const lines = r.rows.map(
    (row: CapacityRow) =>
      `  ${row.scenario.padEnd(14)} ${row.reqPerSec.toFixed(0).padStart(6)} req/s  CPU µs/req: gateway ${row.gatewayUs.toFixed(1)}, ` +
      `users-ts ${row.serviceUs.toFixed(1)}, nats-server ${row.natsUs.toFixed(1)}  sequential p50 ${row.sequentialP50Ms.toFixed(2)} ms, ` +
      `p99 ${row.sequentialP99Ms.toFixed(2)} ms  users-ts processing ${row.serviceProcessingMs.toFixed(2)} ms`,
  );
  return [header, ...lines].join("\n");
}
