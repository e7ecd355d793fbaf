import type { StoredResponse } from "./stored-response.js";

/** A key claimed by a request still running: who may take it over, and where its reply will be captured. */
export interface PendingRecord {
  v: 1;
  state: "pending";
  fingerprint: string;
  /** Names this try: its reply is captured under `<record key>.<attempt>`. */
  attempt: string;
  /** When it was claimed, in ms since the epoch, on the claiming gateway's clock. */
  startedAt: number;
  /** The request id of the claiming request: a problem body rendered for it names it. */
  requestId: string;
}

/** A key whose request has its answer. */
export interface DoneRecord {
  v: 1;
  state: "done";
  fingerprint: string;
  storedAt: number;
  status: number;
  headers: Record<string, string>;
  /** The body bytes, base64. */
  body: string;
}

export type IdempotencyRecord = PendingRecord | DoneRecord;

export function encodeRecord(record: IdempotencyRecord): string {
  return JSON.stringify(record);
}

/** The record in a bucket value; undefined when it is not one (written by hand, or by another version). */
export function decodeRecord(value: Uint8Array): IdempotencyRecord | undefined {
  let record: unknown;
  try {
    record = JSON.parse(Buffer.from(value).toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof record !== "object" || record === null) return undefined;
  const r = record as Record<string, unknown>;
  if (r.v !== 1 || typeof r.fingerprint !== "string") return undefined;
  if (r.state === "pending" && typeof r.attempt === "string" && typeof r.startedAt === "number" && typeof r.requestId === "string") {
    return r as unknown as PendingRecord;
  }
  if (
    r.state === "done" &&
    typeof r.storedAt === "number" &&
    typeof r.status === "number" &&
    typeof r.body === "string" &&
    typeof r.headers === "object" &&
    r.headers !== null
  ) {
    return r as unknown as DoneRecord;
  }
  return undefined;
}

export function doneRecord(fingerprint: string, response: StoredResponse, storedAt: number): DoneRecord {
  return {
    v: 1,
    state: "done",
    fingerprint,
    storedAt,
    status: response.status,
    headers: response.headers,
    body: Buffer.from(response.body).toString("base64"),
  };
}

export function responseOf(record: DoneRecord): StoredResponse {
  return { status: record.status, headers: { ...record.headers }, body: Buffer.from(record.body, "base64") };
}
