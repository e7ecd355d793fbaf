import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

export interface TargetOptions {
  /** A shell command that starts one instance of the implementation (it should `exec` the service). */
  command: string;
  /** Working directory of the command: the repository root. */
  cwd: string;
  /** The NATS server the instance connects to, passed as NATS_URL. */
  natsUrl: string;
  /** Echo the instance's output to this process's stderr as it comes. */
  echo?: boolean;
  /** More environment variables for the instance (NATS credentials excepted). */
  env?: Readonly<Record<string, string>>;
}

export interface TargetExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running instance of the implementation under test, started from a shell command. */
export interface Target {
  readonly command: string;
  readonly pid: number;
  /** The exit, once the process has exited. */
  readonly exit: TargetExit | undefined;
  /** The last few kilobytes of the process's stdout and stderr, for error messages. */
  output(): string;
  /** Sends SIGTERM to the process group and resolves with the exit, or rejects when the process outlives timeoutMs. */
  terminate(timeoutMs: number): Promise<TargetExit>;
  /** SIGKILLs the process group if anything of it is left; safe to call any time. */
  kill(): Promise<void>;
}

const OUTPUT_LIMIT = 8_000;
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Variables that would point the instance at another server or give it credentials ours does not know. */
const STRIPPED_ENV = ["NATS_URL", "NATS_CREDS", "NATS_USER", "NATS_PASSWORD", "NATS_TOKEN", "NATS_INBOX_PREFIX", "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY"];

export function startTarget(options: TargetOptions): Target {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of STRIPPED_ENV) delete env[name];
  Object.assign(env, options.env);
  env["NATS_URL"] = options.natsUrl;

  // Its own process group, so signals reach the service whether or not the command `exec`s it, and
  // whatever a wrapper started. The shell itself ignores SIGTERM (a disposition the service replaces
  // with its own handler), so it outlives the service and exits with the service's exit code.
  const child: ChildProcess = spawn("/bin/sh", ["-c", `trap '' TERM\n${options.command}`], {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    if (options.echo === true) process.stderr.write(chunk);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  let exit: TargetExit | undefined;
  const exited = new Promise<TargetExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  child.once("error", (err) => {
    output += `\n[testing] cannot start /bin/sh: ${err.message}`;
  });

  const pid = child.pid ?? -1;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return; // never started: -pid would name another group
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };

  // The group is detached from ours: if this process ends without kill(), take the instance along.
  const onExit = (): void => signalGroup("SIGKILL");
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    process.kill(process.pid, signal);
  };
  process.once("exit", onExit);
  for (const signal of FORWARDED_SIGNALS) process.once(signal, onSignal);

  return {
    command: options.command,
    pid,
    get exit() {
      return exit;
    },
    output: () => output,
    async terminate(timeoutMs) {
      if (exit !== undefined) return exit;
      signalGroup("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`did not exit within ${timeoutMs} ms of SIGTERM\n${describeOutput(output)}`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      process.off("exit", onExit);
      for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
      signalGroup("SIGKILL");
      if (exit === undefined && pid > 0) await Promise.race([once(child, "exit"), sleep(2_000)]);
    },
  };
}

/** The output, framed for an assertion message. */
export function describeOutput(output: string): string {
  const text = output.trim();
  return text === "" ? "(the process printed nothing)" : `--- its output ---\n${text}\n--- end of output ---`;
}

export function describeExit(exit: TargetExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
