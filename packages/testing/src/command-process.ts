import { startProcess, type ProcessExit, type TestProcess } from "./start-process.js";

export interface TargetOptions {
  /** A shell command that starts one instance of the implementation (it should `exec` the service). */
  command: string;
  /** Working directory of the command (default: the repository root). */
  cwd?: string;
  /** The NATS server the instance connects to, passed as NATS_URL. */
  natsUrl: string;
  /** Echo the instance's output to this process's stderr as it comes. */
  echo?: boolean;
  /** More environment variables for the instance (NATS credentials excepted). */
  env?: Readonly<Record<string, string>>;
}

export type TargetExit = ProcessExit;

/** One running instance of the implementation under test, started from a shell command. */
export type Target = TestProcess;

/** Variables that would point the instance at another server or give it credentials ours does not know. */
export const NATS_ENV = ["NATS_URL", "NATS_CREDS", "NATS_USER", "NATS_PASSWORD", "NATS_TOKEN", "NATS_INBOX_PREFIX", "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY"] as const;

/** An instance of a service under test, connected to `natsUrl` and to nothing its caller's shell names. */
export function startTarget(options: TargetOptions): Target {
  return startProcess({
    name: options.command,
    command: options.command,
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    env: { ...options.env, NATS_URL: options.natsUrl },
    strippedEnv: NATS_ENV,
    echo: options.echo === true,
  });
}
