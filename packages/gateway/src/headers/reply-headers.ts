import type { MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

// Headers a service may not set: they describe the connection or the body, which the gateway owns.
const RESERVED = new Set(["connection", "content-length", "content-type", "transfer-encoding", "keep-alive", "upgrade", "x-request-id"]);
const PREFIX = Headers.httpHeaderPrefix.toLowerCase();

/** What a service's success reply asks of the HTTP response: its status and extra headers. */
export function httpFromReply(headers: MsgHdrs | undefined): { status: number; headers: Record<string, string> } {
  const out: Record<string, string> = {};
  if (headers === undefined) return { status: 200, headers: out };
  const status = Number(headers.get(Headers.httpStatus));
  for (const key of headers.keys()) {
    const lower = key.toLowerCase();
    if (!lower.startsWith(PREFIX)) continue;
    const name = lower.slice(PREFIX.length);
    if (name !== "" && !RESERVED.has(name)) out[name] = headers.get(key);
  }
  return { status: Number.isInteger(status) && status >= 200 && status < 400 ? status : 200, headers: out };
}
