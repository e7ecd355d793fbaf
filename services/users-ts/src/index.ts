import type { NatsConnection } from "@nats-io/transport-node";
import { UserService } from "@switchyard/contracts";
import { serve, type Logger, type RunningService } from "@switchyard/service";
import { LANGUAGE, SERVICE_NAME, userServiceImpl, type Divergence } from "./user-service.js";
import { UserStore } from "./user-store.js";

export const VERSION = "1.0.0";

export interface UsersOptions {
  /** The deployment this instance belongs to (default SWITCHYARD_DEPLOYMENT, else users-ts). */
  deployment?: string;
  /** Test only: answer differently from the contract's other implementations on purpose. */
  diverge?: Divergence;
  /** Whether Ping names this instance (default true; PING_SHOWS_INSTANCE for the process). */
  pingShowsInstance?: boolean;
}

/** Starts one users-ts instance on the connection. */
export async function startUsersService(nc: NatsConnection, logger?: Logger, options: UsersOptions = {}): Promise<RunningService> {
  const store = await UserStore.open(nc);
  return serve({
    nc,
    service: UserService,
    implementation: userServiceImpl(store, options.pingShowsInstance ?? true, options.diverge),
    name: SERVICE_NAME,
    version: VERSION,
    description: `users.v1.UserService in ${LANGUAGE}`,
    ...(logger === undefined ? {} : { logger }),
    ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
  });
}

export { DIVERGENCES, type Divergence } from "./user-service.js";
export { pingShowsInstanceFromEnv } from "./settings.js";
