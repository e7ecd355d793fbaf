import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { Msg } from "@nats-io/transport-node";
import type { Route } from "../routes/route.js";
import type { StoredResponse } from "./stored-response.js";

/** One HTTP request on an RPC route, as the handler has it once the payload is built. */
export interface IdempotentRequest {
  /** The Idempotency-Key header as node gives it. */
  key: string | string[] | undefined;
  /** Whose keys these are: the verified JWT subject with auth on, "" without. */
  scope: string;
  route: Route;
  /** The Protobuf payload the gateway sends. */
  payload: Uint8Array;
  /** The Accept header: which media type the answer is in. */
  accept: string | undefined;
  requestId: string;
}

/** Where the service's reply must go, and the token it gets in Switchyard-Idempotency-Key. */
export interface Capture {
  replyTo: string;
  serviceKey: string;
}

/**
 * Sends the request to the service and resolves with its reply; an error reply may resolve or be
 * thrown as its GatewayError, and a request that got no reply rejects with a GatewayError. With a
 * capture, the reply must go to `capture.replyTo` and the NATS header Switchyard-Idempotency-Key
 * must carry `capture.serviceKey`.
 */
export type SendRequest = (capture: Capture | undefined) => Promise<Msg>;

export interface IdempotentResult {
  response: StoredResponse;
  /** Answered from an earlier request with the key: send `Idempotent-Replayed: true`. */
  replayed: boolean;
}

/** Whether Idempotency-Key applies: RPCs not declared NO_SIDE_EFFECTS or IDEMPOTENT. */
export function idempotencyApplies(method: DescMethod): boolean {
  return method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS && method.idempotency !== MethodOptions_IdempotencyLevel.IDEMPOTENT;
}
