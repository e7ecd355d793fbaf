import type { DescMethod } from "@bufbuild/protobuf";
import type { ServiceMsg } from "@nats-io/services";
import { Match, headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { Headers, type WriteBatching } from "@switchyard/protocol";
import { authOf, type Auth } from "./auth.js";
import { DeadlineSignal, deadlineExceeded, isPast } from "./deadline.js";
import { headerSafe } from "./header-safe.js";
import { idempotencyKeyOf } from "./idempotency-key.js";
import type { HandlerContext } from "./service-impl.js";

/** The headers every reply carries: which deployment answered. */
export class Replies {
  /** Shared by every plain success reply: nats.js only reads a message's headers to encode them. */
  readonly plain: MsgHdrs;

  constructor(readonly deployment: string) {
    this.plain = this.headers();
  }

  /** A fresh set, for a reply that adds headers of its own. */
  headers(): MsgHdrs {
    const h = natsHeaders();
    h.set(Headers.deployment, this.deployment);
    return h;
  }
}

/** Shared by every request of one instance. */
export interface ContextShared {
  readonly replies: Replies;
  /** The replies one turn of the event loop sends go to nats-server in one write. */
  readonly batching: WriteBatching;
  /** The micro service instance id. */
  readonly instanceId: string;
  /** Hears about a malformed pair of auth headers (logged once per instance). */
  readonly malformedAuth: (reason: string) => void;
}

/**
 * A handler's context. The request headers are decoded only when a handler reads them: most never
 * do, and nats.js decodes them on first access (about 1.3 µs for a gateway request's headers).
 */
export class RequestContext implements HandlerContext {
  replyHeaders: MsgHdrs | undefined;
  readonly #deadlineSignal: DeadlineSignal;
  #auth: Auth | undefined | null = null;

  constructor(
    readonly rpc: DescMethod,
    private readonly msg: ServiceMsg,
    private readonly shared: ContextShared,
    readonly deadline: number | undefined,
    /** A stream's: it aborts at the deadline and when the stream stops early (OpenStream). */
    private readonly streamSignal?: AbortSignal,
  ) {
    this.#deadlineSignal = new DeadlineSignal(deadline);
  }

  get instanceId(): string {
    return this.shared.instanceId;
  }

  get deployment(): string {
    return this.shared.replies.deployment;
  }

  get subject(): string {
    return this.msg.subject;
  }

  get headers(): MsgHdrs | undefined {
    return this.msg.headers;
  }

  get requestId(): string | undefined {
    return this.msg.headers?.get(Headers.requestId) || undefined;
  }

  get traceparent(): string | undefined {
    return this.msg.headers?.get(Headers.traceparent) || undefined;
  }

  get idempotencyKey(): string | undefined {
    return idempotencyKeyOf(this.msg.headers);
  }

  get signal(): AbortSignal {
    return this.streamSignal ?? this.#deadlineSignal.signal;
  }

  get auth(): Auth | undefined {
    if (this.#auth === null) this.#auth = authOf(this.msg.headers, this.shared.malformedAuth);
    return this.#auth;
  }

  get expired(): boolean {
    return isPast(this.deadline);
  }

  checkDeadline(): void {
    if (this.expired) throw deadlineExceeded();
  }

  metadata(name: string): string | undefined {
    // HTTP header names know no case: Switchyard-Meta-Tenant and switchyard-meta-tenant are one.
    // Only names under the prefix: the gateway's own headers (Switchyard-Auth-*) are never metadata.
    return this.msg.headers?.get(`${Headers.metadataPrefix}${name}`, Match.IgnoreCase) || undefined;
  }

  respondWith({ status, headers }: { status?: number; headers?: Record<string, string> }): void {
    this.replyHeaders ??= this.shared.replies.headers();
    if (status !== undefined) this.replyHeaders.set(Headers.httpStatus, String(status));
    for (const [name, value] of Object.entries(headers ?? {})) {
      this.replyHeaders.set(`${Headers.httpHeaderPrefix}${name}`, headerSafe(value));
    }
  }

  /** The handler is done: its deadline's timer goes. */
  dispose(): void {
    this.#deadlineSignal.dispose();
  }
}
