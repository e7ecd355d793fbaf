import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildGateway, settingsFromEnv, type AppConfig } from "@switchyard/gateway";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance } from "fastify";

export interface Stack {
  ns: NatsServer;
  nc: NatsConnection;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const testConfig: AppConfig = {
  ...settingsFromEnv({}),
  logLevel: "silent",
  discoveryIntervalMs: 200,
  adminOnMainPort: true,
};
const defaults = testConfig;

/** A real nats-server and a gateway in front of it; services are started by each test file. */
export async function startStack(config: Partial<typeof defaults> = {}): Promise<Stack> {
  const ns = await startNatsServer();
  const nc = await connect({ servers: ns.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const app = buildGateway({ nc, services: contractFiles.flatMap((f) => f.services), config: { ...defaults, ...config } });
  await app.ready();
  return {
    ns,
    nc,
    app,
    async close() {
      await app.close();
      if (!nc.isClosed()) await nc.close();
      await ns.stop();
    },
  };
}

export const PROBLEM = "application/problem+json; charset=utf-8";
