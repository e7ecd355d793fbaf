import { nuid, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { GatewayError } from "../errors.js";
import { serviceErrorOf } from "../nats/call-service.js";
import type { Route } from "../routes/route.js";
import type { ReplyJsonOptions } from "../transcode/json-reply.js";
import { IdempotencyBucket, replySubject, RETRY_AFTER, type IdempotencyLog } from "./idempotency-bucket.js";
import type { IdempotencySettings } from "./idempotency-config.js";
import { IDEMPOTENCY_KEY, parseIdempotencyKey } from "./idempotency-key.js";
import { decodeRecord, encodeRecord, responseOf, type PendingRecord } from "./idempotency-record.js";
import { idempotencyApplies, type IdempotentRequest, type IdempotentResult, type SendRequest } from "./idempotent-request.js";
import { fingerprintOf, recordKeyOf, serviceKeyOf } from "./fingerprint.js";
import { outcomeOf } from "./outcome.js";
import { problemResponse, replyResponse, type StoredResponse } from "./stored-response.js";

export interface IdempotencyOptions extends IdempotencySettings {
  /** The gateway's REQUEST_TIMEOUT_MS: how long a claimed request can still be running. */
  requestTimeoutMs: number;
  /** How JSON replies are written, as the request handler writes them. */
  json?: ReplyJsonOptions;
}

/** What happened to keyed requests, for metrics and tests. */
export interface IdempotencyCounts {
  /** Requests that ran and whose answer was stored. */
  stored: number;
  /** Answers replayed from a stored record or a captured reply. */
  replayed: number;
  /** Of those, answers rebuilt from a reply captured after its gateway went away. */
  recovered: number;
  /** 409s: the first request with the key was still running. */
  inUse: number;
  /** 422s: the key came back with another request. */
  mismatched: number;
  /** Keys freed because their request did not run. */
  released: number;
  /** Stale claims taken over by a retry. */
  takenOver: number;
}

/** Reads and writes per request before it is answered 409: each lost race means someone else moved on. */
const MAX_ROUNDS = 4;
/**
 * Idempotency-Key (IETF httpapi draft, with Stripe's semantics) over a JetStream KV bucket shared by
 * every gateway. The first request with a key claims it atomically (a "pending" record with the
 * request's fingerprint), runs, and stores its answer before the client gets it; a retry with the
 * same key and request gets that answer again, 409 while it is still running, 422 if the request
 * differs. The service's reply is sent to a subject inside the bucket, so JetStream keeps it even
 * when the gateway dies before storing the answer: a retry through any gateway rebuilds the answer
 * from it instead of running the request again. A claim with neither an answer nor a captured
 * reply past the request timeout and a margin is taken over by exactly one retry (a revision-checked
 * write). Without the bucket, keyed requests are refused with 503 and Retry-After (fail closed):
 * running them unguarded would break the promise the client asked for.
 */
export class IdempotencyStore {
  readonly counts: IdempotencyCounts = { stored: 0, replayed: 0, recovered: 0, inUse: 0, mismatched: 0, released: 0, takenOver: 0 };
  private readonly bucket: IdempotencyBucket;
  private readonly ttlMs: number;
  private readonly takeoverAfterMs: number;

  constructor(
    nc: NatsConnection,
    private readonly options: IdempotencyOptions,
    private readonly log: IdempotencyLog,
  ) {
    this.bucket = new IdempotencyBucket(nc, options.ttlS, log);
    this.ttlMs = options.ttlS * 1000;
    this.takeoverAfterMs = options.requestTimeoutMs + options.takeoverMarginMs;
  }

  /** Opens (or creates) the bucket in the background, retrying until it is there. */
  start(): void {
    if (this.options.enabled) void this.bucket.open();
  }

  stop(): void {
    this.bucket.stop();
  }

  /** Whether the bucket is open: before that, keyed requests are refused with 503. */
  get ready(): boolean {
    return this.bucket.ready;
  }

  /** Whether run() has anything to do for this request: otherwise forward it as usual. */
  handles(route: Route, key: string | string[] | undefined): boolean {
    return this.options.enabled && idempotencyApplies(route.method) && (key !== undefined || this.requiresKey(route));
  }

  /** Whether the route refuses a request without a key (IDEMPOTENCY_REQUIRED). */
  requiresKey(route: Route): boolean {
    const required = this.options.required;
    return required.includes("*") || required.includes(route.subject) || required.includes(route.method.parent.typeName);
  }

  /**
   * Answers one request: runs it through `send` the first time, replays the stored answer after.
   * Resolves with the answer to send (an error answer of the service's included, as problem+json);
   * rejects with a GatewayError for the client (400, 409, 422, 503) or when the request got no
   * reply, as the handler's errors do.
   */
  async run(request: IdempotentRequest, send: SendRequest): Promise<IdempotentResult> {
    const { route } = request;
    if (!this.options.enabled || !idempotencyApplies(route.method)) return this.direct(request, send);
    const key = parseIdempotencyKey(request.key);
    if (key === undefined) {
      if (this.requiresKey(route)) {
        throw new GatewayError("IDEMPOTENCY_KEY_REQUIRED", `${route.verb} ${route.template.source} needs an Idempotency-Key header`, IDEMPOTENCY_KEY);
      }
      return this.direct(request, send);
    }
    const kv = this.bucket.records();
    const recordKey = recordKeyOf(request.scope, route, key);
    const fingerprint = fingerprintOf(route, request.accept, request.payload);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claim = this.claimOf(fingerprint, request.requestId);
      const created = await this.bucket.write(() => kv.create(recordKey, encodeRecord(claim)));
      if (created !== undefined) return this.execute(request, send, recordKey, claim, created);

      const entry = await this.bucket.read(() => kv.get(recordKey));
      // Freed or expired since: claim it again.
      if (entry === null || entry.operation !== "PUT") continue;
      const record = decodeRecord(entry.value);
      if (record === undefined) {
        this.log.warn(`idempotency: record ${recordKey} is unreadable; it is taken over`);
        const result = await this.takeOver(request, send, recordKey, fingerprint, entry.revision);
        if (result !== undefined) return result;
        continue;
      }
      if (record.state === "done" && Date.now() >= record.storedAt + this.ttlMs) {
        // Past this gateway's expiry, though the bucket (made with a longer TTL) still holds it: free.
        const result = await this.takeOver(request, send, recordKey, fingerprint, entry.revision);
        if (result !== undefined) return result;
        continue;
      }
      if (record.fingerprint !== fingerprint) {
        this.counts.mismatched++;
        throw new GatewayError(
          "IDEMPOTENCY_KEY_MISMATCH",
          "this Idempotency-Key was used for another request (another payload, route or Accept); use a new key for a new request",
          IDEMPOTENCY_KEY,
        );
      }
      if (record.state === "done") {
        this.counts.replayed++;
        return { response: responseOf(record), replayed: true };
      }
      const captured = await this.bucket.read(() => this.bucket.captured(recordKey, record.attempt));
      if (captured !== null) {
        const result = await this.recover(request, send, recordKey, record, entry.revision, captured);
        if (result !== undefined) return result;
        continue;
      }
      if (Date.now() > record.startedAt + this.takeoverAfterMs) {
        this.log.warn(`idempotency: a claim on ${route.verb} ${route.template.source} got no answer in ${this.takeoverAfterMs} ms; a retry takes it over`);
        const result = await this.takeOver(request, send, recordKey, fingerprint, entry.revision);
        if (result !== undefined) return result;
        continue;
      }
      break;
    }
    this.counts.inUse++;
    throw new GatewayError(
      "IDEMPOTENCY_KEY_IN_USE",
      "a request with this Idempotency-Key is still in progress; retry once it has finished",
      IDEMPOTENCY_KEY,
      RETRY_AFTER,
    );
  }

  /** A request without a key, or on an RPC it does not apply to: forwarded as usual. */
  private async direct(request: IdempotentRequest, send: SendRequest): Promise<IdempotentResult> {
    return { response: this.answer(request, await send(undefined)), replayed: false };
  }

  /** Runs the request under a claim of revision `revision`, stores its answer, returns it. */
  private async execute(request: IdempotentRequest, send: SendRequest, recordKey: string, claim: PendingRecord, revision: number): Promise<IdempotentResult> {
    const capture = { replyTo: replySubject(recordKey, claim.attempt), serviceKey: serviceKeyOf(recordKey, claim.fingerprint) };
    let response: StoredResponse;
    try {
      response = this.answer(request, await send(capture));
    } catch (err) {
      const outcome = outcomeOf(err);
      if (outcome !== "store") {
        if (outcome === "release" && (await this.bucket.release(recordKey, revision))) this.counts.released++;
        throw err;
      }
      response = problemResponse(err as GatewayError, claim.requestId);
    }
    if ((await this.bucket.complete(recordKey, claim.fingerprint, response, revision)) === "stored") this.counts.stored++;
    return { response, replayed: false };
  }

  /**
   * A claim whose gateway never stored the answer, though the service's reply was captured: the
   * answer is built from it, stored in the claim's place, and replayed. Undefined when someone
   * else moved the record on first (read it again).
   */
  private async recover(
    request: IdempotentRequest,
    send: SendRequest,
    recordKey: string,
    claim: PendingRecord,
    revision: number,
    reply: Msg,
  ): Promise<IdempotentResult | undefined> {
    let response: StoredResponse;
    try {
      response = this.answer(request, reply);
    } catch (err) {
      // A reply saying the request did not run: run it now.
      if (outcomeOf(err) !== "store") return this.takeOver(request, send, recordKey, claim.fingerprint, revision);
      response = problemResponse(err as GatewayError, claim.requestId);
    }
    // Not stored (the bucket failed, or the answer is over its size limit): replayed all the same.
    if ((await this.bucket.complete(recordKey, claim.fingerprint, response, revision)) === "conflict") return undefined;
    this.counts.replayed++;
    this.counts.recovered++;
    return { response, replayed: true };
  }

  /** Claims the record at `revision` for this request and runs it; undefined when another request won it. */
  private async takeOver(
    request: IdempotentRequest,
    send: SendRequest,
    recordKey: string,
    fingerprint: string,
    revision: number,
  ): Promise<IdempotentResult | undefined> {
    const claim = this.claimOf(fingerprint, request.requestId);
    const taken = await this.bucket.write(() => this.bucket.records().update(recordKey, encodeRecord(claim), revision));
    if (taken === undefined) return undefined;
    this.counts.takenOver++;
    return this.execute(request, send, recordKey, claim, taken);
  }

  /** The service's reply as the HTTP answer; its error reply, or a reply that does not decode, thrown. */
  private answer(request: IdempotentRequest, reply: Msg): StoredResponse {
    const error = serviceErrorOf(reply);
    if (error !== undefined) throw error;
    return replyResponse(request.route, reply, request.accept, this.options.json);
  }

  private claimOf(fingerprint: string, requestId: string): PendingRecord {
    return { v: 1, state: "pending", fingerprint, attempt: nuid.next(), startedAt: Date.now(), requestId };
  }
}

