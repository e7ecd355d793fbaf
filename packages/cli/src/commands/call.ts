/** `switchyard call <METHOD> <path> [json]`: one request to a route; status to stderr, body to stdout. */
import { STATUS_CODES } from "node:http";
import { CliError, jsonOf, send } from "../http.js";
import type { Io } from "../io.js";

export interface CallOptions {
  gateway: string;
  method: string;
  path: string;
  /** The request body as typed: checked to be JSON, then sent unchanged. */
  json: string | undefined;
  /** `name: value`, as given to -H. */
  headers: readonly string[];
  timeoutMs: number;
}

export async function callCommand(options: CallOptions, io: Io): Promise<number> {
  const method = options.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new CliError(`${JSON.stringify(options.method)} is not an HTTP method`, 2);
  if (!options.path.startsWith("/")) {
    throw new CliError(`the path must start with "/" (got ${JSON.stringify(options.path)})`, 2);
  }
  const headers = parseHeaders(options.headers);
  if (options.json !== undefined) {
    if (method === "GET" || method === "HEAD") throw new CliError(`a ${method} request has no body`, 2);
    try {
      JSON.parse(options.json);
    } catch (err) {
      throw new CliError(`the body is not valid JSON: ${(err as Error).message}`, 2);
    }
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["content-type"] = "application/json";
    }
  }
  const reply = await send(options.gateway, options.path, {
    method,
    headers,
    ...(options.json === undefined ? {} : { body: options.json }),
    timeoutMs: options.timeoutMs,
  });
  io.stderr(`${reply.status} ${reply.statusText || (STATUS_CODES[reply.status] ?? "")}`.trimEnd() + "\n");
  if (reply.text !== "") {
    const body = jsonOf(reply);
    io.stdout(body === undefined ? reply.text.replace(/\n?$/, "\n") : JSON.stringify(body, null, 2) + "\n");
  }
  return reply.status >= 200 && reply.status < 300 ? 0 : 1;
}

function parseHeaders(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of raw) {
    const colon = header.indexOf(":");
    const name = colon < 0 ? "" : header.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) {
      throw new CliError(`-H ${JSON.stringify(header)}: expected "name: value"`, 2);
    }
    headers[name] = header.slice(colon + 1).trim();
  }
  return headers;
}
