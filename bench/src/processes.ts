/** Child processes for the bench: spawn bundles, wait until ready, sample RSS and CPU, tear down. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The last lines of stderr, for the message when it dies or never gets ready. */
  stderrTail(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
// Last resort: whatever path the process takes out, no server is left behind.
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Runs a bundle that `npm run build` wrote to dist/, as production does: plain node, no loader. */
export function spawnBundle(name: string, bundle: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Child {
  const child = spawn(process.execPath, [...nodeFlags, bundle], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    // stdout is not read: a pipe nobody drains would block a chatty child.
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  live.add(child);
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exit.then(() => live.delete(child));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;

  return {
    name,
    pid: child.pid,
    stderrTail: () => tail,
    exited,
    async stop(graceMs = 5000) {
      if (exited()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `probe` until it resolves true; fails early with the child's stderr if the child dies. */
export async function waitUntil(child: Child, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited()) throw new Error(`${child.name} exited before it was ready:\n${child.stderrTail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.stderrTail()}`);
    await sleep(100);
  }
}

/** True once `GET url` answers 200. */
export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}


/** Peak resident memory per pid (summed over its process tree: a gateway's workers count), sampled from /proc while the load runs. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: readonly number[], intervalMs = 200) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Peak bytes since the last reset, then starts a new window. */
  takePeak(pid: number): number {
    this.sample();
    const peak = this.peaks.get(pid) ?? 0;
    this.peaks.delete(pid);
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    for (const pid of this.pids) {
      const rss = tree(pid).reduce((sum, p) => sum + (readRss(p) ?? 0), 0);
      if (rss > (this.peaks.get(pid) ?? 0)) this.peaks.set(pid, rss);
    }
  }
}

/**
 * CPU time (user + system) a process and its live descendants have used so far, in ms, from
 * /proc/<pid>/stat. Per request it is a steadier figure than req/s on a shared machine: it does
 * not move with the other processes' load. USER_HZ is 100 on Linux whatever the kernel's tick rate.
 */
export function cpuMs(pid: number): number {
  return tree(pid).reduce((sum, p) => sum + processCpuMs(p), 0);
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields from the ")" that ends it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // exited between listing and reading
  }
}

/** `pid` and its descendants. Node forks from its main thread, so that thread's children are all of them. */
function tree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter((c) => c !== "").map(Number);
  } catch {
    // exited
  }
  return [pid, ...children.flatMap(tree)];
}

function readRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}
