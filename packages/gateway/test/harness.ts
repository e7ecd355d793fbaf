import { connect, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
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

/** Answers `msg` with an error reply as a service does: the status, its description and, when given, the code and the field. */
export function respondServiceError(msg: Msg, status: number, description: string, reason?: string, field?: string): void {
  const h = headers();
  h.set(Headers.serviceErrorCode, String(status));
  h.set(Headers.serviceError, description);
  if (reason !== undefined) h.set(Headers.errorReason, reason);
  if (field !== undefined) h.set(Headers.errorField, field);
  msg.respond(new Uint8Array(), { headers: h });
}
