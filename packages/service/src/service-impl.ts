import type { MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import type { MsgHdrs } from "@nats-io/transport-node";

/** What a handler knows about the request besides its message, and what it may ask of the reply. */
export interface HandlerContext {
  readonly subject: string;
  readonly headers: MsgHdrs | undefined;
  /** The deployment this instance belongs to. */
  readonly deployment: string;
  /** The gateway's request id, when the request came through one. */
  readonly requestId: string | undefined;
  /** The W3C trace context the gateway forwarded or started. */
  readonly traceparent: string | undefined;
  /** A client header the gateway let through: `metadata("tenant")` reads Switchyard-Meta-Tenant, in any case. */
  metadata(name: string): string | undefined;
  /** Asks the gateway to answer a success with this HTTP status (2xx or 3xx) and these headers. */
  respondWith(http: { status?: number; headers?: Record<string, string> }): void;
}

type Reply<T> = T | Promise<T>;

/** One typed handler per RPC of the contract's service, keyed by the generated method names. */
export type ServiceImpl<Methods extends GenServiceMethods> = {
  [K in keyof Methods]: (
    request: MessageShape<Methods[K]["input"]>,
    context: HandlerContext,
  ) => Reply<MessageInitShape<Methods[K]["output"]>>;
};
