import type { NatsConnection, ServerInfo } from "@nats-io/transport-node";
import { ConfigError } from "./config-error.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Overrides the replica count every bucket Switchyard creates is made with (1 to 5). */
export const KV_REPLICAS_VARIABLE = "NATS_KV_REPLICAS";

/** Replicas beyond 3 add write latency and no availability a three-node quorum lacks. */
const MAX_AUTO_REPLICAS = 3;

/** JetStream's answer to replicas > 1 on a server that is not clustered. */
const REPLICAS_NOT_CLUSTERED = 10074;

/** NATS_KV_REPLICAS, or undefined when unset: natsOptionsFromEnv reads it too, so a bad value stops a process at start-up. */
export function kvReplicasFromEnv(env: Env): number | undefined {
  const set = env[KV_REPLICAS_VARIABLE];
  if (set === undefined || set === "") return undefined;
  if (!/^[1-5]$/.test(set)) throw new ConfigError(KV_REPLICAS_VARIABLE, `"${set}" is not a replica count from 1 to 5`);
  return Number(set);
}

/**
 * How many replicas a new bucket gets: NATS_KV_REPLICAS when set; otherwise 1 on a lone server, and
 * on a cluster as many as it has servers, up to 3 (its INFO names the cluster and lists every
 * server's client URL; a cluster that advertises none, `no_advertise`, is taken to have 3).
 */
export function kvReplicas(info: ServerInfo | undefined, env: Env = process.env): number {
  const set = kvReplicasFromEnv(env);
  if (set !== undefined) return set;
  if (info?.cluster === undefined || info.cluster === "") return 1;
  const servers = new Set(info.connect_urls ?? []).size;
  return servers <= 1 ? MAX_AUTO_REPLICAS : Math.min(servers, MAX_AUTO_REPLICAS);
}

/**
 * Creates (or opens) a bucket with the replicas kvReplicas chooses for the server `nc` is on: every
 * bucket Switchyard makes goes through here, so each is replicated alike on a cluster. A chosen
 * count the server refuses as not clustered (a cluster without clustered JetStream) is tried again
 * with 1; set explicitly, it stands, and the error names the setting. A bucket that exists already
 * keeps its replicas (raising them is `nats stream edit KV_<bucket> --replicas 3`).
 */
export async function withKvReplicas<T>(nc: NatsConnection, create: (replicas: number) => Promise<T>, env: Env = process.env): Promise<T> {
  const replicas = kvReplicas(nc.info, env);
  try {
    return await create(replicas);
  } catch (err) {
    if (replicas === 1 || (err as { code?: unknown }).code !== REPLICAS_NOT_CLUSTERED) throw err;
    if (kvReplicasFromEnv(env) !== undefined) throw new ConfigError(KV_REPLICAS_VARIABLE, `${replicas} replicas, but the NATS server is not clustered: ${(err as Error).message}`);
    return create(1);
  }
}
