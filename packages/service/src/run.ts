import type { NatsConnection } from "@nats-io/transport-node";
import { ConfigError, connectNats, NatsConnectError, natsOptionsFromEnv } from "@switchyard/protocol";
import { defaultLogger, type Logger } from "./logger.js";
import type { RunningService } from "./serve.js";

/**
 * The life of a service process: connect with the environment's NATS settings, start, and on
 * SIGTERM or SIGINT stop taking requests, answer those in flight, drain the connection and exit.
 * A bad setting exits 2 and a connection NATS refuses (credentials, TLS) exits 1, each with one log
 * line; a server that is not up yet is waited for.
 *
 * `name` names the process: its NATS connection and its log lines (`users-ts serving on ...`). The
 * name discovery shows is serve()'s own `name` (`users`), given in `start`.
 */
export async function runService(
  name: string,
  start: (nc: NatsConnection) => Promise<RunningService>,
  logger: Logger = defaultLogger(name),
): Promise<void> {
  const nc = await connectFromEnv(name, logger);
  let service: RunningService;
  try {
    service = await start(nc);
  } catch (err) {
    // A bad SWITCHYARD_DEPLOYMENT, or NATS refusing what the service needs (its bucket, its subjects).
    logger.error(ConfigError.is(err) ? `bad configuration: ${err.message}` : `${name} cannot start: ${describe(err)}`);
    process.exit(ConfigError.is(err) ? 2 : 1);
  }
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

async function connectFromEnv(name: string, logger: Logger): Promise<NatsConnection> {
  try {
    const options = await natsOptionsFromEnv(process.env, name);
    return await connectNats(options, { info: (line) => logger.info(line), error: (line) => logger.error(line) });
  } catch (err) {
    if (ConfigError.is(err)) {
      logger.error(`bad configuration: ${err.message}`);
      process.exit(2);
    }
    if (NatsConnectError.is(err)) {
      logger.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
