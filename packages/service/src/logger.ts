import { jsonLogger } from "@switchyard/telemetry";

/** The little a service needs to log; JSON lines by default, anything else fits. */
export interface Logger {
  /** `fields` names what the line is about: reqId and trace_id for a request. */
  info(message: string, fields?: Record<string, string>): void;
  /** `fields` names what the line is about: reqId and trace_id for a request. */
  error(message: string, err?: unknown, fields?: Record<string, string>): void;
}

/** One JSON object a line, in pino's shape, as every Switchyard process logs. */
export function defaultLogger(name: string): Logger {
  const log = jsonLogger(name);
  return {
    info: (message, fields) => (fields === undefined ? log.info(message) : log.info(fields, message)),
    error: (message, err, fields) => log.error({ ...fields, ...(err === undefined ? {} : { err }) }, message),
  };
}
