/**
 * GATEWAY_PROCESSES over 1: one gateway process per core on one machine, with Node's cluster
 * module (Node 20 has no `reusePort`). The first process forks the workers and only supervises
 * them; each worker is a whole gateway with its own NATS connection (so NATS spreads the replies'
 * load as it does between machines) and listens on the shared ports, whose connections the primary
 * hands to the workers in turn.
 */
import cluster, { type Worker } from "node:cluster";

/** Whether this process is to fork and supervise the workers rather than serve. */
export function isPrimaryOf(processes: number): boolean {
  return processes > 1 && cluster.isPrimary;
}

/**
 * Forks `processes` workers and keeps them running until SIGTERM or SIGINT, which it passes on to
 * each so that each drains as a lone gateway does. A worker that dies after it listened is replaced;
 * one that dies before (routes refused, NATS credentials refused) stops them all, as restarting it
 * would only fail again. Resolves with the exit code once every worker has exited: 0 when each
 * stopped cleanly, else the first failure's.
 */
export function superviseWorkers(processes: number, log: (line: string) => void): Promise<number> {
  const live = new Set<Worker>();
  const listened = new WeakSet<Worker>();
  let stopping = false;
  let exitCode = 0;

  const fork = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once("listening", () => listened.add(worker));
    log(`worker ${worker.process.pid} started (${live.size} of ${processes})`);
  };
  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    // From a terminal the workers have had SIGINT already; a second signal is one they ignore.
    for (const worker of live) worker.process.kill(signal);
  };

  return new Promise((resolve) => {
    cluster.on("exit", (worker, code, signal) => {
      live.delete(worker);
      const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      if (!stopping) {
        if (listened.has(worker)) {
          log(`worker ${worker.process.pid} ${how}; starting another`);
          fork();
          return;
        }
        log(`worker ${worker.process.pid} ${how} before it listened; stopping the others`);
        exitCode ||= code || 1;
        stop("SIGTERM");
      } else if (code !== 0 || signal !== null) {
        exitCode ||= code || 1;
      }
      if (live.size === 0) resolve(exitCode);
    });
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop(signal));
    for (let i = 0; i < processes; i++) fork();
  });
}
