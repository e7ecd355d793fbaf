import pino, { type DestinationStream, type Logger as Pino } from "pino";

export type { Pino };

/**
 * One JSON object a line, pino's shape (level as a number, time in epoch ms, pid, hostname, name,
 * msg), the same as the gateway's Fastify logs and the Ruby SDK's, so one pipeline reads them all.
 * Lines about a request carry `reqId` and `trace_id`.
 */
export function jsonLogger(name: string, level = process.env["LOG_LEVEL"] ?? "info", destination?: DestinationStream): Pino {
  return destination === undefined ? pino({ name, level }) : pino({ name, level }, destination);
}

/** The trace id of a W3C traceparent, for a log line's `trace_id`; undefined when there is none. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent);
  return match?.[1];
}
