/** One admin request: sent, a problem reply turned into one line, a success checked against its shape. */
import { CliError, jsonOf, send } from "../http.js";
import { ShapeMismatch, type Check } from "./shape.js";
import type { AdminTarget } from "./types.js";

export const trafficPath = (service: string) => `/_/traffic/${encodeURIComponent(service)}`;

/**
 * One admin request, its reply checked against `shape`. A problem reply is a CliError naming the
 * method, URL, status, code, detail and field; a 404 for the path itself says where admin may be instead.
 */
export async function admin<T>(target: AdminTarget, method: string, path: string, shape: Check, body?: unknown): Promise<T> {
  const reply = await send(target.admin, path, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: target.timeoutMs,
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
  const json = jsonOf(reply);
  if (reply.status < 200 || reply.status >= 300) {
    const problem = (typeof json === "object" && json !== null ? json : {}) as { code?: unknown; detail?: unknown; field?: unknown };
    const code = typeof problem.code === "string" ? problem.code : reply.statusText;
    const detail = typeof problem.detail === "string" ? `: ${problem.detail}` : "";
    const field = typeof problem.field === "string" ? ` (field ${problem.field})` : "";
    // UNKNOWN_SERVICE and the like are answers from the admin API; only a missing path hints at ADMIN_PORT.
    const hint =
      reply.status === 404 && (problem.code === undefined || problem.code === "ROUTE_NOT_FOUND")
        ? "; the admin endpoints may be on their own port (ADMIN_PORT): pass --admin <url> or set SWITCHYARD_ADMIN"
        : "";
    throw new CliError(`${method} ${reply.url}: ${reply.status} ${code}${detail}${field}${hint}`);
  }
  const where = `${method} ${reply.url}`;
  if (json === undefined) throw unexpected(where, "the reply is not JSON");
  try {
    shape(json, "");
  } catch (err) {
    if (err instanceof ShapeMismatch) throw unexpected(where, err.message);
    throw err;
  }
  return json as T;
}

function unexpected(where: string, what: string): CliError {
  return new CliError(`unexpected reply from ${where}: ${what}; is this a Switchyard gateway?`);
}
