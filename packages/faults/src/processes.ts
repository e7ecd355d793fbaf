/** Real processes for the fault scenarios: one process group each, every output line kept with its time and in a log file. */
import { join } from "node:path";
import { NATS_ENV, startProcess, type TestProcess } from "@switchyard/testing";

export type Proc = TestProcess;

export interface ProcOptions {
  name: string;
  /** A shell command, run from the repository root by /bin/sh; it should `exec` the program. */
  command: string;
  /** Variables set on top of this process's environment (minus the NATS and gateway settings). */
  env: Record<string, string>;
  /** The output is also written to `<logDir>/<name>.log`. */
  logDir: string;
  /** Lines left out of tail() (still in the log file), e.g. the access log of requests that went well. */
  noise?: (text: string) => boolean;
}

/** Settings a developer's shell may export that would point a child elsewhere or change its behaviour. */
const STRIPPED_ENV = [
  ...NATS_ENV,
  "PORT",
  "HOST",
  "REQUEST_TIMEOUT_MS",
  "BODY_LIMIT_BYTES",
  "LOG_LEVEL",
  "ACCESS_LOG",
  "METRICS",
  "ADMIN_PORT",
  "ADMIN_HOST",
  "HTTP_REQUEST_TIMEOUT_MS",
  "HTTP_HEADERS_TIMEOUT_MS",
  "MAX_CONNECTIONS",
  "MAX_IN_FLIGHT",
  "RETRY_AFTER_S",
  "RETRY_BUDGET_PERCENT",
  "RATE_LIMIT_MAX",
  "IDEMPOTENCY",
  "IDEMPOTENCY_TTL_S",
  "IDEMPOTENCY_TAKEOVER_MARGIN_MS",
  "IDEMPOTENCY_REQUIRED",
];

export function startProc(options: ProcOptions): Proc {
  return startProcess({
    name: options.name,
    command: options.command,
    env: options.env,
    strippedEnv: STRIPPED_ENV,
    logFile: join(options.logDir, `${options.name}.log`),
    ...(options.noise !== undefined && { noise: options.noise }),
  });
}
