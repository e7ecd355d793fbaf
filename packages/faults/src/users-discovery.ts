/** What the users instances of a stack say over the NATS services API: $SRV.PING and $SRV.STATS. */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Proc } from "./processes.js";

export interface Ping {
  readonly id: string;
  readonly language: string;
}

/** One endpoint's counters in a $SRV.STATS reply. */
export interface EndpointStats {
  name: string;
  num_requests: number;
  num_errors: number;
  /** Nanoseconds. */
  processing_time: number;
}

/** Every users instance answering discovery right now. */
export async function pingUsers(nc: NatsConnection, maxWaitMs: number): Promise<Ping[]> {
  const found: Ping[] = [];
  try {
    const replies = await nc.requestMany("$SRV.PING.users", undefined, { maxWait: maxWaitMs });
    for await (const reply of replies) {
      const info = reply.json<{ id?: string; metadata?: { language?: string } }>();
      if (info.id !== undefined) found.push({ id: info.id, language: info.metadata?.language ?? "?" });
    }
  } catch {
    // no responders, or the connection is down: nobody answers
  }
  return found;
}

/** Per-instance endpoint counters from $SRV.STATS.users: every instance that answers, by its id. */
export async function usersEndpointStats(nc: NatsConnection, maxWaitMs: number): Promise<Map<string, EndpointStats[]>> {
  const byId = new Map<string, EndpointStats[]>();
  const replies = await nc.requestMany("$SRV.STATS.users", undefined, { maxWait: maxWaitMs });
  for await (const reply of replies) {
    const stats = reply.json<{ id?: string; endpoints?: EndpointStats[] }>();
    if (stats.id !== undefined) byId.set(stats.id, stats.endpoints ?? []);
  }
  return byId;
}

/** The same, one line per instance, named after the process that logged its id: how the load spread, and what it did. */
export async function usersStatsLines(nc: NatsConnection, procs: readonly Proc[], maxWaitMs: number): Promise<string[]> {
  const lines: string[] = [];
  try {
    for (const [id, all] of await usersEndpointStats(nc, maxWaitMs)) {
      const name = procs.find((p) => p.lines().some((l) => l.text.includes(id)))?.name ?? "?";
      const endpoints = all
        .filter((e) => e.num_requests > 0)
        .map((e) => {
          const avgMs = e.num_requests === 0 ? 0 : e.processing_time / e.num_requests / 1e6;
          return `${e.name} ${e.num_requests} req, ${e.num_errors} err, avg ${avgMs.toFixed(1)} ms`;
        });
      lines.push(`$SRV.STATS ${name} ${id}: ${endpoints.join("; ") || "no requests"}`);
    }
  } catch {
    lines.push("$SRV.STATS.users: no answer");
  }
  return lines;
}

/** users-ts: "users-ts <id> serving on …"; users-rb: "started: users 0.1.0, instance <id>, …". */
export function instanceIdFromLog(proc: Proc): string | undefined {
  for (const line of proc.lines()) {
    const match = /users-ts (\w+) serving on|, instance (\w+),/.exec(line.text);
    if (match !== null) return match[1] ?? match[2];
  }
  return undefined;
}
