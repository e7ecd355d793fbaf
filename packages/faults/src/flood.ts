/**
 * Many connections at once, from child processes: the machine has two cores, and a client in the
 * test process would take its CPU from the same event loop that times the scenario. Each child is
 * flood-client.ts with at most CONNECTIONS_PER_CLIENT of the connections; their responses come back
 * over IPC when the run ends.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface FloodOptions {
  /** http://host:port of the gateway. */
  url: string;
  method: string;
  path: string;
  /** A JSON body, sent with every request. */
  body?: string;
  /** Keep-alive connections, each with one request at a time. */
  connections: number;
  durationMs: number;
  /** The connections are opened evenly over this long (default 0: all at once). */
  rampMs?: number;
  /** A request without an answer by then is a HANG. */
  clientTimeoutMs: number;
  /**
   * After a 503 with Retry-After, a connection waits that long (plus up to half again, at random, so
   * that the connections do not come back in step) before its next request, as a client that follows
   * the header does; false: it sends the next one at once, as an attacker would.
   */
  honorRetryAfter: boolean;
}

export interface FloodRecord {
  /** Which of the connections sent it. */
  readonly connection: number;
  /** Epoch ms (fractional), from the child's clock. */
  readonly start: number;
  end: number;
  /** 0 when no response came. */
  status: number;
  /** problem+json `code` of a response of 300 or more. */
  code?: string;
  retryAfter?: string;
  /** ECONNRESET, ECONNREFUSED, HANG, … */
  error?: string;
  /** The request opened a connection (the first on it, or after the server closed the last one). */
  newConnection: boolean;
  /** For a request that opened a connection: how long the TCP connect took, within the latency. */
  connectMs?: number;
}

export interface FloodReport {
  readonly startedAt: number;
  readonly stoppedAt: number;
  /** Connections the client opened, reconnections included. */
  readonly connectionsOpened: number;
  /** CPU time the client process used, start-up included. */
  readonly cpuMs: number;
  readonly records: FloodRecord[];
}

/** Connections [first, first + count) of a flood: one client's share. */
export interface FloodShare {
  readonly first: number;
  readonly count: number;
}

const CLIENT = fileURLToPath(new URL("./flood-client.ts", import.meta.url));

/**
 * Below libuv's 1,024 events per epoll_wait. A process with more sockets ready than that polls again
 * at once, up to 48 times, before it runs its timers or registers a new socket with epoll: one client
 * holding 2,000 busy connections measured its own new connections' first responses 1 to 3 s late,
 * while the server had answered them within milliseconds.
 */
const CONNECTIONS_PER_CLIENT = 1_000;

/** Runs one flood to its end and returns every response. */
export async function runFlood(options: FloodOptions): Promise<FloodReport> {
  const clients = Math.max(1, Math.ceil(options.connections / CONNECTIONS_PER_CLIENT));
  const shares = Array.from({ length: clients }, (_, c): FloodShare => {
    const first = Math.floor((options.connections * c) / clients);
    return { first, count: Math.floor((options.connections * (c + 1)) / clients) - first };
  });
  const children = shares.map((share) => startClient(options, share));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.go();
  const reports = await Promise.all(children.map((c) => c.report));
  return {
    startedAt: Math.min(...reports.map((r) => r.startedAt)),
    stoppedAt: Math.max(...reports.map((r) => r.stoppedAt)),
    connectionsOpened: reports.reduce((n, r) => n + r.connectionsOpened, 0),
    cpuMs: reports.reduce((n, r) => n + r.cpuMs, 0),
    records: reports.flatMap((r) => r.records),
  };
}

interface FloodClient {
  readonly ready: Promise<void>;
  go(): void;
  readonly report: Promise<FloodReport>;
}

function startClient(options: FloodOptions, share: FloodShare): FloodClient {
  const child = fork(CLIENT, [JSON.stringify(options), JSON.stringify(share)], {
    execArgv: ["--import", "tsx", "--max-old-space-size=1024"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const report = new Promise<FloodReport>((resolve, reject) => {
    let received: FloodReport | undefined;
    child.on("message", (message) => {
      if (message === "ready") onReady();
      else received = message as FloodReport;
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (received !== undefined) resolve(received);
      else reject(new Error(`a flood client exited with code ${code}, signal ${signal}, without a report`));
    });
  });
  // A client that dies before it is ready must not leave the flood waiting for it.
  return { ready: Promise.race([ready, report.then(() => undefined)]), go: () => child.send("go"), report };
}

/** From the request's start to its response's end, the connect of a new connection included. */
export function latency(r: FloodRecord): number {
  return r.end - r.start;
}

/** The same, from the moment the connection was up: what the server took, whatever the kernel's accept queue did. */
export function serverLatency(r: FloodRecord): number {
  return r.end - r.start - (r.connectMs ?? 0);
}

/** Nearest-rank percentile, `p` in [0, 1]; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** "2xx 1234, 503 OVERLOADED 567, ECONNRESET 3". */
export function outcomes(records: readonly FloodRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    const kind = r.error ?? (r.status >= 200 && r.status < 300 ? "2xx" : `${r.status}${r.code === undefined ? "" : ` ${r.code}`}`);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
}
