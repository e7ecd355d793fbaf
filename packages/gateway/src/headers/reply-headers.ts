import type { MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

// Headers a service may not set: they describe the connection or the body, which the gateway owns.
const RESERVED = new Set(["connection", "content-length", "content-type", "transfer-encoding", "keep-alive", "upgrade", "x-request-id"]);
const PREFIX = Headers.httpHeaderPrefix.toLowerCase();
// What HTTP (and node) accepts as a header name and value: a service's header that node would
// refuse is dropped rather than failing the response.
const VALID_NAME = /^[!#$%&'*+.^`|~\w-]+$/;
const VALID_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** What a service's success reply asks of the HTTP response: its status and extra headers. */
export function httpFromReply(headers: MsgHdrs | undefined): { status: number; headers: Record<string, string> } {
  const out: Record<string, string> = {};
  if (headers === undefined) return { status: 200, headers: out };
  const status = Number(headers.get(Headers.httpStatus));
  for (const key of headers.keys()) {
    const lower = key.toLowerCase();
    if (!lower.startsWith(PREFIX)) continue;
    const name = lower.slice(PREFIX.length);
    const value = headers.get(key);
    if (VALID_NAME.test(name) && !RESERVED.has(name) && VALID_VALUE.test(value)) out[name] = value;
  }
  return { status: Number.isInteger(status) && status >= 200 && status < 400 ? status : 200, headers: out };
}
