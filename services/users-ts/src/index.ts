import type { NatsConnection } from "@nats-io/transport-node";
import { UserService } from "@switchyard/contracts";
import { serve, type Logger, type RunningService } from "@switchyard/service";
import { LANGUAGE, SERVICE_NAME, userServiceImpl } from "./user-service.js";
import { UserStore } from "./user-store.js";

export const VERSION = "1.0.0";

/** Starts one users-ts instance on the connection. */
export async function startUsersService(nc: NatsConnection, logger?: Logger): Promise<RunningService> {
  const store = await UserStore.open(nc);
  let id = "";
  const running = await serve({
    nc,
    service: UserService,
    implementation: userServiceImpl(store, () => id),
    name: SERVICE_NAME,
    version: VERSION,
    description: `users.v1.UserService in ${LANGUAGE}`,
    ...(logger === undefined ? {} : { logger }),
  });
  id = running.id;
  return running;
}
