import { createHash } from "node:crypto";
import type { Route } from "../routes/route.js";
import { wantsProtobuf } from "../transcode/media-types.js";

const VERSION = "switchyard-idempotency/1";

/**
 * The bucket key of a request's record: a hash of who sent it (`scope`, the verified JWT subject,
 * or "" without auth), the route and the client's key, so no client string reaches a NATS subject
 * and two clients' equal keys never meet.
 */
export function recordKeyOf(scope: string, route: Route, key: string): string {
  return sha256(JSON.stringify([VERSION, scope, route.verb, route.template.source, key]));
}

/**
 * What makes two requests with one key the same request: the RPC and route, the media type of the
 * answer (JSON or which Protobuf type), and the exact Protobuf payload the gateway sends, path
 * parameters and all.
 */
export function fingerprintOf(route: Route, accept: string | undefined, payload: Uint8Array): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify([VERSION, route.subject, route.verb, route.template.source, answerTypeOf(accept)]));
  hash.update("\n");
  hash.update(payload);
  return hash.digest("hex");
}

/**
 * The token services get in Switchyard-Idempotency-Key: one per operation (record and fingerprint),
 * so it is the same on a retry through another gateway or after a take-over, and never names a
 * different payload that reused the key after it expired.
 */
export function serviceKeyOf(recordKey: string, fingerprint: string): string {
  return sha256(`${VERSION}\n${recordKey}\n${fingerprint}`);
}

/** The media type the answer is rendered in, as the request handler picks it. */
export function answerTypeOf(accept: string | undefined): string {
  return wantsProtobuf(accept) ?? "application/json";
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
