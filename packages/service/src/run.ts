import { connect, type NatsConnection } from "@nats-io/transport-node";
import { natsOptionsFromEnv } from "@switchyard/protocol";
import { defaultLogger, type Logger } from "./logger.js";
import type { RunningService } from "./serve.js";

/**
 * The life of a service process: connect with the environment's NATS settings, start, and on
 * SIGTERM or SIGINT stop taking requests, answer those in flight, drain the connection and exit.
 */
export async function runService(
  name: string,
  start: (nc: NatsConnection) => Promise<RunningService>,
  logger: Logger = defaultLogger(name),
): Promise<void> {
  const nc = await connect(await natsOptionsFromEnv(process.env, name));
  const service = await start(nc);
  logger.info(`${name} ${service.id} serving on ${nc.getServer()} as deployment ${service.deployment}`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    logger.info(`${name} ${service.id} ${signal}: draining`);
    try {
      await service.stop();
      await nc.drain();
      logger.info(`${name} ${service.id} stopped`);
    } catch (err) {
      // NATS went away first (it stops with the rest of `make up`): nothing is left to drain.
      logger.error(`${name} ${service.id}: NATS closed before the drain completed`, err);
    }
    process.exit(0);
  };
  // Listeners stay installed: a second signal (Ctrl-C reaches a process group twice under a
  // supervisor) must not kill the drain the first one started.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(signal);
    });
  }
  const closed = await nc.closed();
  if (!stopping) {
    logger.error(`${name} ${service.id}: NATS connection closed`, closed);
    process.exit(1);
  }
}
