import { randomFillSync } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";

/** What the gateway takes as a client's x-request-id; any other value gets a new id. */
export const REQUEST_ID = /^[\w.:-]{1,128}$/;

const META = Headers.metadataPrefix.toLowerCase();
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
// Header values go into NATS headers as they are: no control characters, a sane length.
const SAFE_VALUE = /^[\x20-\x7e\t]{0,4096}$/;

/**
 * The NATS headers of one request: the request id, the W3C trace context (forwarded, or started
 * here when the client sent none), and the client's Switchyard-Meta-* headers. Nothing else from
 * the client reaches a service.
 */
export function natsRequestHeaders(http: IncomingHttpHeaders, requestId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(Headers.requestId, requestId);
  const traceparent = http["traceparent"];
  if (typeof traceparent === "string" && TRACEPARENT.test(traceparent) && !traceparent.startsWith("ff")) {
    h.set(Headers.traceparent, traceparent);
    const tracestate = http["tracestate"];
    if (typeof tracestate === "string" && SAFE_VALUE.test(tracestate)) h.set(Headers.tracestate, tracestate);
  } else {
    h.set(Headers.traceparent, newTraceparent());
  }
  for (const name in http) {
    if (!name.startsWith(META) || name.length === META.length) continue;
    const value = http[name];
    const text = Array.isArray(value) ? value.join(", ") : value;
    if (text !== undefined && SAFE_VALUE.test(text)) h.set(`${Headers.metadataPrefix}${name.slice(META.length)}`, text);
  }
  return h;
}

// randomBytes() costs about 12 µs a call here, a third of the gateway's own work per request;
// drawing the ids from a pool refilled 4 KiB at a time costs next to nothing.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** A new W3C traceparent: version 00, random trace and parent ids, sampled. */
function newTraceparent(): string {
  if (offset + 24 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const trace = pool.toString("hex", offset, offset + 16);
  const parent = pool.toString("hex", offset + 16, offset + 24);
  offset += 24;
  return `00-${trace}-${parent}-01`;
}
