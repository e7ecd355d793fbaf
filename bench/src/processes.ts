/** Child processes for the bench: spawn bundles, wait until ready, sample RSS and CPU. */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuMsOfStat, rssKbOfStatus, startProcess, type TestProcess } from "@switchyard/testing";

export type Child = TestProcess;

/** Runs a bundle that `npm run build` wrote to dist/, as production does: plain node, no loader. */
export function spawnBundle(name: string, bundle: string, env: Record<string, string>, nodeFlags: readonly string[] = []): Child {
  const child = startProcess({ name, command: [process.execPath, ...nodeFlags, bundle], env, ignoreStdout: true });
  if (child.pid <= 0) throw new Error(`${name}: spawn failed`);
  return child;
}

/** Polls `probe` until it resolves true; fails early with the child's output if the child dies. */
export async function waitUntil(child: Child, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exit !== undefined) throw new Error(`${child.name} exited before it was ready:\n${child.output()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.output()}`);
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
    return cpuMsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
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
    const kb = rssKbOfStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb === undefined ? undefined : kb * 1024;
  } catch {
    return undefined;
  }
}
