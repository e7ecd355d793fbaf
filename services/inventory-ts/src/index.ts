import type { NatsConnection } from "@nats-io/transport-node";
import { InventoryService } from "@switchyard/contracts";
import { serve, type Logger, type RunningService } from "@switchyard/service";
import { inventoryServiceImpl, LANGUAGE, SERVICE_NAME } from "./inventory-service.js";
import { ItemStore } from "./item-store.js";

export const VERSION = "1.0.0";

/** Starts one inventory-ts instance on the connection; its state lives in the KV bucket `inventory`. */
export async function startInventoryService(nc: NatsConnection, logger?: Logger): Promise<RunningService> {
  const store = await ItemStore.open(nc);
  return serve({
    nc,
    service: InventoryService,
    implementation: inventoryServiceImpl(store),
    name: SERVICE_NAME,
    version: VERSION,
    description: `inventory.v1.InventoryService in ${LANGUAGE}`,
    ...(logger === undefined ? {} : { logger }),
  });
}
