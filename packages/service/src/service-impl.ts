import type { DescMessage, DescMethod, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { MsgHdrs } from "@nats-io/transport-node";
import type { Auth } from "./auth.js";

/** What a handler knows about the request besides its message, and what it may ask of the reply. */
export interface HandlerContext {
  /** The RPC this request is for, as the contract declares it: its name, request and reply schemas, options. */
  readonly rpc: DescMethod;
  /** This instance's id: the one $SRV.PING, INFO and STATS report, and RunningService.id. */
  readonly instanceId: string;
  readonly subject: string;
  readonly headers: MsgHdrs | undefined;
  /** The deployment this instance belongs to. */
  readonly deployment: string;
  /** The gateway's request id, when the request came through one. */
  readonly requestId: string | undefined;
  /** The W3C trace context the gateway forwarded or started. */
  readonly traceparent: string | undefined;
  /**
   * When the caller stops waiting, in epoch ms: the request's Switchyard-Timeout-Ms counted from
   * when this instance received it. Undefined without one (or with a malformed one): no deadline.
   */
  readonly deadline: number | undefined;
  /**
   * Aborts at the deadline, with a DEADLINE_EXCEEDED ServiceError as its reason; never without a
   * deadline. Hand it to work that takes a signal. Its timer is cleared when the handler ends. For
   * a stream, it also aborts when the stream stops early: a CANCELLED ServiceError when the caller
   * cancelled or stopped granting credit, UNAVAILABLE when the instance stops.
   */
  readonly signal: AbortSignal;
  /** Whether the deadline has come (0 ms left is late); false without a deadline. */
  readonly expired: boolean;
  /**
   * The caller the gateway verified (Switchyard-Auth-Subject and Switchyard-Auth-Claims), or
   * undefined when the request carries no verified identity.
   */
  readonly auth: Auth | undefined;
  /**
   * The operation this request performs, when the gateway sent it for an HTTP request with an
   * `Idempotency-Key` (Switchyard-Idempotency-Key): 64 lowercase hex digits, the same on every
   * retry of the operation through any gateway, and different for any other client, route, key or
   * payload. A handler of a write that is not idempotent should apply it at most once per token
   * (create the record under a key derived from it, say). Undefined without one, or with a value
   * of any other form.
   */
  readonly idempotencyKey: string | undefined;
  /**
   * Throws DEADLINE_EXCEEDED (a ServiceError) when the deadline has come. Call it before each write
   * that leads up to a change, undoing what the request wrote so far when it throws, and between
   * the steps of long work: the caller has stopped waiting. Once the change is made, finish it and
   * reply its outcome, late or not: a write that happened is never reported as failed.
   */
  checkDeadline(): void;
  /** A client header the gateway let through: `metadata("tenant")` reads Switchyard-Meta-Tenant, in any case. */
  metadata(name: string): string | undefined;
  /** Asks the gateway to answer a success with this HTTP status (2xx or 3xx) and these headers. */
  respondWith(http: { status?: number; headers?: Record<string, string> }): void;
}

type Reply<T> = T | Promise<T>;

/** The handler of a unary RPC: its one reply. */
export type UnaryHandler<I extends DescMessage, O extends DescMessage> = (request: MessageShape<I>, context: HandlerContext) => Reply<MessageInitShape<O>>;

/**
 * The handler of a server-streaming RPC: the messages of the stream, in order (an async generator).
 * The SDK pulls one at a time, as the caller's credit allows, and stops pulling (calling the
 * iterator's `return()`) when the caller cancels, the deadline comes or the caller stops granting
 * credit; `context.signal` aborts then, for work that waits on something else. An error thrown
 * mid-stream ends the stream with that error.
 */
export type StreamHandler<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

/**
 * One typed handler per RPC of the contract's service, keyed by the generated method names. Client
 * and bidirectional streaming RPCs have none: they cannot be served (their requests are answered
 * UNIMPLEMENTED).
 */
export type ServiceImpl<Methods extends GenServiceMethods> = {
  [K in keyof Methods as Methods[K]["methodKind"] extends "unary" | "server_streaming" ? K : never]: Methods[K]["methodKind"] extends "server_streaming"
    ? StreamHandler<Methods[K]["input"], Methods[K]["output"]>
    : UnaryHandler<Methods[K]["input"], Methods[K]["output"]>;
};
