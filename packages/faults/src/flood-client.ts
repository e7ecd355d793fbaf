/**
 * One of the flood's clients, run in a child process of its own (see flood.ts) so that its CPU and
 * garbage collection are scheduled apart from the test process's timers: its share of the
 * `connections` keep-alive connections, each with one request at a time, for `durationMs` from the
 * parent's "go". Every response is kept and sent back to the parent over IPC when the run ends.
 */
import { Agent, request as httpRequest } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { now } from "@switchyard/testing/clock";
import type { FloodOptions, FloodRecord, FloodReport, FloodShare } from "./flood.js";

const options = JSON.parse(process.argv[2] ?? "{}") as FloodOptions;
/** This client's share: connections [first, first + count) of options.connections. */
const share = JSON.parse(process.argv[3] ?? "{}") as FloodShare;
const records: FloodRecord[] = [];
let stopping = false;
let connectionsOpened = 0;

function send(agent: Agent, connection: number): Promise<FloodRecord> {
  const record: FloodRecord = { connection, start: now(), end: 0, status: 0, newConnection: false };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      record.end = now();
      clearTimeout(timer);
      resolve(record);
    };
    const headers: Record<string, string> = {};
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(Buffer.byteLength(options.body));
    }
    const req = httpRequest(`${options.url}${options.path}`, { method: options.method, headers, agent }, (res) => {
      record.status = res.statusCode ?? 0;
      const retryAfter = res.headers["retry-after"];
      if (retryAfter !== undefined) record.retryAfter = retryAfter;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        if (record.status >= 300) {
          try {
            const code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: unknown }).code;
            if (typeof code === "string") record.code = code;
          } catch {
            // not JSON: the status says it all
          }
        }
        finish();
      });
      res.on("error", (err: NodeJS.ErrnoException) => {
        record.error = err.code ?? err.message;
        finish();
      });
    });
    req.on("socket", (socket) => {
      if (req.reusedSocket) return;
      record.newConnection = true;
      connectionsOpened++;
      socket.once("connect", () => {
        record.connectMs = now() - record.start;
      });
    });
    const timer = setTimeout(() => {
      record.error = "HANG";
      req.destroy();
      finish();
    }, options.clientTimeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => {
      record.error ??= err.code ?? err.message;
      finish();
    });
    req.end(options.body);
  });
}

async function connection(i: number): Promise<void> {
  // Opened over the ramp, not all in one instant: the listen backlog is not what is measured.
  await sleep(((options.rampMs ?? 0) * i) / options.connections);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  while (!stopping) {
    const record = await send(agent, i);
    records.push(record);
    // A refused connection comes back at once: do not spin on it.
    if (record.error !== undefined) await sleep(10);
    else if (options.honorRetryAfter && record.status === 503 && record.retryAfter !== undefined) {
      const seconds = Number(record.retryAfter);
      const waitMs = Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(record.retryAfter) - Date.now());
      if (!stopping) await sleep(waitMs * (1 + Math.random() / 2));
    }
  }
  agent.destroy();
}

// Every client starts at the parent's word, so that the ramp is one ramp across them.
await new Promise<void>((resolve) => {
  process.once("message", () => resolve());
  process.send?.("ready");
});
const startedAt = now();
const loops = Array.from({ length: share.count }, (_, i) => connection(share.first + i));
await sleep(options.durationMs);
stopping = true;
const stoppedAt = now();
await Promise.all(loops);
const cpu = process.cpuUsage();
const report: FloodReport = { startedAt, stoppedAt, connectionsOpened, cpuMs: (cpu.user + cpu.system) / 1000, records };
process.send?.(report, () => process.exit(0));
