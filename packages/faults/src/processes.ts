/** Real processes for the fault scenarios: one process group each, every output line kept with its time. */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "./clock.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface ProcExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Epoch ms. */
  readonly at: number;
}

export interface LogLine {
  /** Epoch ms when the line arrived. */
  readonly at: number;
  readonly text: string;
}

export interface Proc {
  readonly name: string;
  readonly command: string;
  readonly pid: number;
  readonly exit: ProcExit | undefined;
  readonly exited: Promise<ProcExit>;
  /** Every line the process printed on stdout or stderr so far. */
  lines(): readonly LogLine[];
  /** The last `count` lines, for an assertion message. */
  tail(count?: number): string;
  /** Sends `signal` to the process group; returns the epoch ms just before sending. */
  signal(signal: NodeJS.Signals): number;
  /** Resolves with the exit, or rejects once `timeoutMs` has passed without one. */
  waitExit(timeoutMs: number): Promise<ProcExit>;
  /** SIGKILLs whatever is left of the group and waits for the exit; safe any time. */
  dispose(): Promise<void>;
}

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
  "NATS_URL",
  "NATS_CREDS",
  "NATS_USER",
  "NATS_PASSWORD",
  "NATS_TOKEN",
  "NATS_INBOX_PREFIX",
  "NATS_TLS_CA",
  "NATS_TLS_CERT",
  "NATS_TLS_KEY",
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

const MAX_LINES = 400_000;
const live = new Set<ChildProcess>();
/** Other pids to take along (the nats-server of a stack not closed yet). */
export const alsoKill = new Set<number>();

// Last resort: whichever way this test process ends, no process is left behind. Our children run in
// process groups of their own, so a Ctrl-C at the terminal does not reach them by itself.
function killAll(): void {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  for (const pid of alsoKill) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

export function startProc(options: ProcOptions): Proc {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of STRIPPED_ENV) delete env[name];
  Object.assign(env, options.env);

  // Its own process group, so a signal reaches the program whatever wrapper runs it. The shell ignores
  // SIGTERM (the program installs its own handler over that disposition), as in @switchyard/testing.
  const child = spawn("/bin/sh", ["-c", `trap '' TERM\n${options.command}`], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid ?? -1;
  if (pid > 0) live.add(child);

  const file: WriteStream = createWriteStream(join(options.logDir, `${options.name}.log`));
  file.on("error", () => undefined);
  const lines: LogLine[] = [];
  const reader = (): ((chunk: Buffer) => void) => {
    let partial = "";
    return (chunk) => {
      const at = now();
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) {
        if (lines.length < MAX_LINES) lines.push({ at, text });
        file.write(`${new Date(at).toISOString()} ${text}\n`);
      }
    };
  };
  child.stdout?.on("data", reader());
  child.stderr?.on("data", reader());

  let exit: ProcExit | undefined;
  const exited = new Promise<ProcExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal, at: now() };
      live.delete(child);
      resolve(exit);
    });
  });
  child.once("error", (err) => lines.push({ at: now(), text: `[faults] cannot start /bin/sh: ${err.message}` }));

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return; // never started: -pid would name another group
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  };

  const proc: Proc = {
    name: options.name,
    command: options.command,
    pid,
    get exit() {
      return exit;
    },
    exited,
    lines: () => lines,
    tail(count = 40) {
      const noise = options.noise ?? (() => false);
      const last = lines.filter((l) => !noise(l.text)).slice(-count).map((l) => `  ${new Date(l.at).toISOString()} ${l.text}`);
      return `--- last lines of ${options.name} (pid ${pid}) ---\n${last.join("\n") || "  (nothing printed)"}\n--- end of ${options.name} ---`;
    },
    signal(signal) {
      const at = now();
      signalGroup(signal);
      return at;
    },
    async waitExit(timeoutMs) {
      const timer = sleep(timeoutMs, "timeout" as const);
      const result = await Promise.race([exited, timer]);
      if (result === "timeout") throw new Error(`${options.name} did not exit within ${timeoutMs} ms\n${proc.tail()}`);
      return result;
    },
    async dispose() {
      signalGroup("SIGKILL");
      if (exit === undefined && pid > 0) await Promise.race([exited, sleep(3_000)]);
      await new Promise<void>((resolve) => file.end(() => resolve()));
    },
  };
  return proc;
}

export function describeExit(exit: ProcExit | undefined): string {
  if (exit === undefined) return "still running";
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

