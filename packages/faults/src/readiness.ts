/** Waiting for a process of a stack to be ready. */
import { request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Proc } from "./processes.js";

/** Polls `probe` until true; fails with the process's output if it exits first or takes longer than `timeoutMs`. */
export async function until(proc: Proc, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (proc.exit !== undefined) {
      await sleep(200); // the exit can come before the last of its output is read
      throw new Error(`${proc.name} exited before it ${what}\n${proc.tail()}`);
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} never ${what} (${timeoutMs} ms)\n${proc.tail()}`);
    await sleep(100);
  }
}

/** The status of one GET, without keep-alive; 0 when it cannot connect. */
export function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}
