import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { IDEMPOTENCY_BUCKET, withKvReplicas } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import { capturedReply } from "./captured-request.js";
import { doneRecord, encodeRecord } from "./idempotency-record.js";
import type { StoredResponse } from "./stored-response.js";

export interface IdempotencyLog {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
}

/** JetStream calls of the request path give up after this, and the request is refused with a 503. */
const STORE_TIMEOUT_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
export const RETRY_AFTER = { "retry-after": "1" };
const STREAM = `KV_${IDEMPOTENCY_BUCKET}`;

/**
 * The JetStream KV bucket of idempotency records, shared by every gateway, and the replies captured
 * in it. Every failure to reach it is a GatewayError for the client: 503 with Retry-After.
 */
export class IdempotencyBucket {
  private kv: KV | undefined;
  private jsm: JetStreamManager | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly nc: NatsConnection,
    private readonly ttlS: number,
    private readonly log: IdempotencyLog,
  ) {}

  /** Whether the bucket is open: before that, keyed requests are refused with 503. */
  get ready(): boolean {
    return this.kv !== undefined;
  }

  /** The open bucket; a 503 before it is open. */
  records(): KV {
    if (this.kv === undefined) throw unavailable("the idempotency store is not open yet; retry shortly");
    return this.kv;
  }

  /** A revision-checked write: its new revision, or undefined when the revision moved on. */
  async write(op: () => Promise<number>): Promise<number | undefined> {
    try {
      return await op();
    } catch (err) {
      if (isWrongLastSequence(err)) return undefined;
      this.log.warn("idempotency: the bucket did not take a write", err);
      throw unavailable("the idempotency store did not answer; retry shortly");
    }
  }

  async read<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      this.log.warn("idempotency: the bucket did not answer a read", err);
      throw unavailable("the idempotency store did not answer; retry shortly");
    }
  }

  /**
   * Stores the answer in place of the claim of revision `revision`. "conflict": the record moved on
   * (a retry rebuilt the answer from the captured reply first, or took the claim over); "failed":
   * the bucket did not take it (it is down, or the answer is over its size limit). The answer is
   * sent either way: a retry rebuilds it from the captured reply.
   */
  async complete(recordKey: string, fingerprint: string, response: StoredResponse, revision: number): Promise<"stored" | "conflict" | "failed"> {
    try {
      await this.kv!.update(recordKey, encodeRecord(doneRecord(fingerprint, response, Date.now())), revision);
      return "stored";
    } catch (err) {
      if (isWrongLastSequence(err)) return "conflict";
      this.log.warn("idempotency: an answer could not be stored; a retry rebuilds it from the captured reply", err);
      return "failed";
    }
  }

  /** Frees a key whose request did not run, if the claim of revision `revision` is still there; true when freed. */
  async release(recordKey: string, revision: number): Promise<boolean> {
    try {
      await this.kv!.delete(recordKey, { previousSeq: revision });
      return true;
    } catch (err) {
      if (!isWrongLastSequence(err)) this.log.warn("idempotency: a key could not be freed; it is taken over once stale", err);
      return false;
    }
  }

  /** The reply JetStream captured for one attempt, or null. */
  async captured(recordKey: string, attempt: string): Promise<Msg | null> {
    const stored = await this.jsm!.streams.getMessage(STREAM, { last_by_subj: replySubject(recordKey, attempt) });
    return stored === null ? null : capturedReply(stored);
  }

  /** Opens (or creates) the bucket in the background, retrying until it is there or stop() is called. */
  async open(): Promise<void> {
    const ttlMs = this.ttlS * 1000;
    let backoff = 500;
    while (!this.abort.signal.aborted) {
      try {
        const js = jetstream(this.nc, { timeout: STORE_TIMEOUT_MS });
        // Reads from the stream leader: a replica could still show a claim as free.
        const kv = await withKvReplicas(this.nc, (replicas) =>
          new Kvm(js).create(IDEMPOTENCY_BUCKET, { ttl: ttlMs, history: 1, allow_direct: false, replicas }),
        );
        this.jsm = await jetstreamManager(this.nc, { timeout: STORE_TIMEOUT_MS });
        const ttl = (await kv.status()).ttl;
        if (ttl !== ttlMs) {
          this.log.warn(
            `idempotency: bucket ${IDEMPOTENCY_BUCKET} keeps records ${ttl === 0 ? "forever" : `${ttl / 1000} s`}, not IDEMPOTENCY_TTL_S=${this.ttlS}; ` +
              "answers are replayed for the shorter of the two",
          );
        }
        this.kv = kv;
        this.log.info(`idempotency: bucket ${IDEMPOTENCY_BUCKET} open; answers replayed for ${this.ttlS} s`);
        return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.warn(`idempotency: bucket ${IDEMPOTENCY_BUCKET} cannot be opened; keyed requests get 503 until it can`, err);
        try {
          await sleep(backoff, undefined, { signal: this.abort.signal });
        } catch {
          return;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  stop(): void {
    this.abort.abort();
  }
}

/** The subject in the bucket where the service's reply to one attempt is captured. */
export function replySubject(recordKey: string, attempt: string): string {
  return `$KV.${IDEMPOTENCY_BUCKET}.${recordKey}.${attempt}`;
}

/** The store cannot be reached: 503 with Retry-After. */
function unavailable(detail: string): GatewayError {
  return new GatewayError("IDEMPOTENCY_STORE_UNAVAILABLE", detail, undefined, RETRY_AFTER);
}

/** JetStream's answer when an expected last sequence no longer holds. */
function isWrongLastSequence(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
