/** One HTTP request on a connection of its own, with everything a scenario may check: status, headers, body, or how the connection failed. */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { now } from "@switchyard/testing/clock";

export interface HttpCallOptions {
  method: string;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** No answer by then is a HANG. */
  timeoutMs: number;
}

export interface HttpCallResult {
  readonly start: number;
  readonly end: number;
  /** Undefined when no response came. */
  readonly status?: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or {} when it is not JSON. */
  readonly body: Record<string, unknown>;
  /** ECONNRESET, ECONNREFUSED, HANG, …: how the request failed without a response. */
  readonly error?: string;
}

export function httpCall(url: string, options: HttpCallOptions): Promise<HttpCallResult> {
  const start = now();
  const payload = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<HttpCallResult, "start" | "end">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ start, end: now(), ...result });
    };
    const req = httpRequest(url, { method: options.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = JSON.parse(text);
          if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
        } catch {
          // not JSON
        }
        done({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on("error", (err: NodeJS.ErrnoException) => done({ headers: res.headers, text: "", body: {}, error: err.code ?? err.message }));
    });
    const timer = setTimeout(() => {
      done({ headers: {}, text: "", body: {}, error: "HANG" });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => done({ headers: {}, text: "", body: {}, error: err.code ?? err.message }));
    req.end(payload);
  });
}

/** "201", "409 IDEMPOTENCY_KEY_IN_USE", "ECONNRESET": a result in a line. */
export function shownResult(r: HttpCallResult): string {
  if (r.status === undefined) return r.error ?? "?";
  const code = typeof r.body["code"] === "string" ? ` ${r.body["code"]}` : "";
  return `${r.status}${code}`;
}
