import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildGateway, settingsFromEnv } from "@switchyard/gateway";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance, HTTPMethods } from "fastify";
import { startInventoryService } from "../src/index.js";

export const PROBLEM = "application/problem+json; charset=utf-8";
export const JSON_TYPE = "application/json; charset=utf-8";

export interface Stack {
  ns: NatsServer;
  nc: NatsConnection;
  app: FastifyInstance;
  inventory: RunningService;
  /** Stops the inventory instance and starts a new one on the same connection. */
  restartService(): Promise<void>;
  call(method: HTTPMethods, url: string, payload?: unknown): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  contentType: string | undefined;
  location: string | undefined;
  // The JSON body, as the test reads it.
  body: any;
  text: string;
}

const quiet = { info: () => undefined, error: () => undefined };

/**
 * A real nats-server with JetStream, the gateway built from every contract the repository serves
 * (exactly as packages/gateway/src/main.ts does), and one inventory-ts instance.
 */
export async function startStack(): Promise<Stack> {
  const ns = await startNatsServer();
  const nc = await connect({ servers: ns.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const app = buildGateway({
    nc,
    services: contractFiles.flatMap((f) => f.services),
    config: { ...settingsFromEnv({}), logLevel: "silent", discoveryIntervalMs: 1000, adminOnMainPort: true },
  });
  await app.ready();
  const stack: Stack = {
    ns,
    nc,
    app,
    inventory: await startInventoryService(nc, quiet),
    async restartService() {
      await stack.inventory.stop();
      stack.inventory = await startInventoryService(nc, quiet);
    },
    async call(method, url, payload) {
      const res = await app.inject(payload === undefined ? { method, url } : { method, url, payload: payload as never });
      return {
        status: res.statusCode,
        contentType: res.headers["content-type"] as string | undefined,
        location: res.headers["location"] as string | undefined,
        body: res.body === "" ? undefined : res.json(),
        text: res.body,
      };
    },
    async close() {
      await stack.inventory.stop();
      await app.close();
      if (!nc.isClosed()) await nc.close();
      await ns.stop();
    },
  };
  return stack;
}
