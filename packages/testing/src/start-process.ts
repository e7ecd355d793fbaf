/**
 * The one launcher for the processes tests, the fault suite and the bench start: every output line
 * kept with its time, signals sent to the whole program, nothing left running when this process ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "./clock.js";
import { REPO_ROOT } from "./repo-root.js";

export interface ProcessOptions {
  /** Names the process in messages and its log file. */
  name: string;
  /**
   * A shell command run by /bin/sh (it should `exec` the program) in a process group of its own, so
   * that signals reach the program whatever wrapper runs it; or a program and its arguments, run
   * directly, that gets signals itself.
   */
  command: string | readonly string[];
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Variables set on top of this process's environment once `strippedEnv` is taken out of it. */
  env?: Readonly<Record<string, string>>;
  /** Variables of this process's environment the child does not inherit (default: none). */
  strippedEnv?: readonly string[];
  /** Echo the output to this process's stderr as it comes. */
  echo?: boolean;
  /** Also write every line, with its time, to this file. */
  logFile?: string;
  /** Lines left out of tail() (still in lines() and the log file), e.g. the access log of requests that went well. */
  noise?: (text: string) => boolean;
  /** Leave stdout unread (a bench's child: reading it would cost the measuring process CPU). */
  ignoreStdout?: boolean;
}

export interface ProcessExit {
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

export interface TestProcess {
  readonly name: string;
  readonly command: string;
  readonly pid: number;
  /** The exit, once the process has exited. */
  readonly exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  /** Every line the process printed on stdout or stderr so far. */
  lines(): readonly LogLine[];
  /** The last few kilobytes of the output, for an error message (see describeOutput). */
  output(): string;
  /** The last `count` lines with their times, framed for an assertion message. */
  tail(count?: number): string;
  /** Sends `signal` to the program; returns the epoch ms just before sending. */
  signal(signal: NodeJS.Signals): number;
  /** Resolves with the exit, or rejects once `timeoutMs` has passed without one. */
  waitExit(timeoutMs: number): Promise<ProcessExit>;
  /** SIGTERM, then resolves with the exit, or rejects when the process outlives `timeoutMs`. */
  terminate(timeoutMs: number): Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILLs whatever is left of the program and waits for the exit; safe to call any time. */
  kill(): Promise<void>;
}

const MAX_LINES = 400_000;
const OUTPUT_LIMIT = 8_000;

/** Pids to SIGKILL if this process ends first (the nats-server of a stack not closed yet). */
export const killAtExit = new Set<number>();
const live = new Set<() => void>();
let exitHooked = false;

// Last resort: whichever way this process ends, no process is left behind. A group of our own does
// not get the Ctrl-C typed at the terminal.
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = (): void => {
    for (const kill of live) kill();
    for (const pid of killAtExit) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

export function startProcess(options: ProcessOptions): TestProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of options.strippedEnv ?? []) delete env[name];
  Object.assign(env, options.env);

  const shell = typeof options.command === "string";
  const [file, ...args] = shell ? ["/bin/sh", "-c", `trap '' TERM\n${options.command as string}`] : options.command;
  // The shell ignores SIGTERM (the program installs its own handler over that disposition), so it
  // outlives the program and exits with the program's exit code.
  const child: ChildProcess = spawn(file!, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    detached: shell,
    stdio: ["ignore", options.ignoreStdout === true ? "ignore" : "pipe", "pipe"],
  });
  const pid = child.pid ?? -1;
  const send = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return; // never started: -pid would name another group
    try {
      process.kill(shell ? -pid : pid, signal);
    } catch {
      // gone already
    }
  };
  const killNow = (): void => send("SIGKILL");
  if (pid > 0) {
    hookExit();
    live.add(killNow);
  }

  const log: WriteStream | undefined = options.logFile === undefined ? undefined : createWriteStream(options.logFile);
  log?.on("error", () => undefined);
  const lines: LogLine[] = [];
  let output = "";
  const reader = (): ((chunk: Buffer) => void) => {
    let partial = "";
    return (chunk) => {
      const at = now();
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
      if (options.echo === true) process.stderr.write(chunk);
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      for (const text of parts) {
        if (lines.length < MAX_LINES) lines.push({ at, text });
        log?.write(`${new Date(at).toISOString()} ${text}\n`);
      }
    };
  };
  child.stdout?.on("data", reader());
  child.stderr?.on("data", reader());

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal, at: now() };
      live.delete(killNow);
      resolve(exit);
    });
  });
  child.once("error", (err) => {
    const text = `[testing] cannot start ${file}: ${err.message}`;
    output += `\n${text}`;
    lines.push({ at: now(), text });
  });

  const name = options.name;
  const proc: TestProcess = {
    name,
    command: shell ? (options.command as string) : (options.command as readonly string[]).join(" "),
    pid,
    get exit() {
      return exit;
    },
    exited,
    lines: () => lines,
    output: () => output,
    tail(count = 40) {
      const noise = options.noise ?? (() => false);
      const last = lines.filter((l) => !noise(l.text)).slice(-count).map((l) => `  ${new Date(l.at).toISOString()} ${l.text}`);
      return `--- last lines of ${name} (pid ${pid}) ---\n${last.join("\n") || "  (nothing printed)"}\n--- end of ${name} ---`;
    },
    signal(signal) {
      const at = now();
      send(signal);
      return at;
    },
    async waitExit(timeoutMs) {
      if (exit !== undefined) return exit;
      const timer = new AbortController();
      const result = await Promise.race([exited, sleep(timeoutMs, "timeout" as const, { signal: timer.signal }).catch(() => "aborted" as const)]);
      timer.abort();
      if (typeof result === "string") throw new Error(`${name} did not exit within ${timeoutMs} ms\n${proc.tail()}`);
      return result;
    },
    async terminate(timeoutMs) {
      if (exit !== undefined) return exit;
      send("SIGTERM");
      const timer = new AbortController();
      const result = await Promise.race([exited, sleep(timeoutMs, "timeout" as const, { signal: timer.signal }).catch(() => "aborted" as const)]);
      timer.abort();
      if (typeof result === "string") throw new Error(`did not exit within ${timeoutMs} ms of SIGTERM\n${describeOutput(output)}`);
      return result;
    },
    async stop(graceMs = 5_000) {
      if (exit !== undefined || pid <= 0) return;
      send("SIGTERM");
      const timer = setTimeout(killNow, graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      killNow();
      if (exit === undefined && pid > 0) await Promise.race([exited, sleep(3_000)]);
      live.delete(killNow);
      if (log !== undefined) await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
  return proc;
}

/** The output, framed for an assertion message. */
export function describeOutput(output: string): string {
  const text = output.trim();
  return text === "" ? "(the process printed nothing)" : `--- its output ---\n${text}\n--- end of output ---`;
}

export function describeExit(exit: Pick<ProcessExit, "code" | "signal"> | undefined): string {
  if (exit === undefined) return "is still running";
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
