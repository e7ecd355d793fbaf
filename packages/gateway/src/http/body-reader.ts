import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import { GatewayError } from "../errors.js";

/**
 * A body that has received nothing for this long may be dropped to make room: a client that is
 * sending keeps its bytes coming, one that has stalled does not.
 */
const IDLE_BODY_MS = 100;
/**
 * Failing that, a body still arriving after this long: a healthy client sends one in milliseconds,
 * and a stalled one whose bytes the kernel still buffers looks busy while they are read.
 */
const SLOW_BODY_MS = 500;

/** One body being received: when it started, its bytes so far, when the last came, and how to give up on it. */
interface Receiving {
  readonly startedAt: number;
  bytes: number;
  lastDataAt: number;
  drop(): void;
}

/**
 * The bytes of request bodies still being received, across every request, against a limit. A body
 * is held in memory until it is complete, and clients choose how slowly they send: without a shared
 * limit, a few hundred connections that each send most of a large body and stall hold hundreds of
 * megabytes until their timeout, and the allocator keeps that memory afterwards. When a new chunk
 * does not fit, bodies that have received nothing for a while are dropped first, then bodies that
 * have been arriving for long, oldest first (their clients are the stalled or the slowest ones), and
 * only if that frees too little is the new one refused, so stalled clients cannot lock others out.
 */
export class BodyBudget {
  used = 0;
  /** Bodies refused, or dropped to make room, because the budget was spent. */
  refused = 0;
  /** Oldest first: a Set keeps insertion order. */
  private readonly receiving = new Set<Receiving>();

  constructor(readonly limitBytes: number) {}

  /** Counts `bytes` more for `body`; false when they do not fit even after dropping slow bodies. */
  take(body: Receiving, bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) {
      const now = Date.now();
      this.dropWhere(bytes, (b) => b.lastDataAt <= now - IDLE_BODY_MS);
      this.dropWhere(bytes, (b) => b.startedAt <= now - SLOW_BODY_MS);
    }
    if (this.used + bytes > this.limitBytes) return false;
    if (body.bytes === 0) this.receiving.add(body);
    body.bytes += bytes;
    body.lastDataAt = Date.now();
    this.used += bytes;
    return true;
  }

  release(body: Receiving): void {
    this.used -= body.bytes;
    body.bytes = 0;
    this.receiving.delete(body);
  }

  /** Drops bodies that `slow` picks, oldest first, until `needed` bytes fit. */
  private dropWhere(needed: number, slow: (body: Receiving) => boolean): void {
    for (const body of this.receiving) {
      if (this.used + needed <= this.limitBytes) return;
      if (!slow(body)) continue;
      this.refused++;
      body.drop();
    }
  }
}

const overloaded = () =>
  new GatewayError("OVERLOADED", "the gateway is receiving too many request bodies at once; retry shortly", undefined, { connection: "close" });

/**
 * A Fastify content-type parser body that reads the request body as bytes, as Fastify's own does
 * (the declared length checked first, the body limit while reading, the length at the end), and
 * counts the bytes against the budget until the body is complete or abandoned. A body the budget
 * cannot hold is answered 503 OVERLOADED and its connection closed.
 */
export function bodyReader(budget: BodyBudget, bodyLimit: number) {
  return (request: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: Buffer) => void): void => {
    const declared = Number(request.headers["content-length"]);
    if (declared > bodyLimit) {
      done(new GatewayError("PAYLOAD_TOO_LARGE", `the request body is over the limit of ${bodyLimit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (err: Error | null, body?: Buffer) => {
      payload.removeListener("data", onData);
      payload.removeListener("end", onEnd);
      payload.removeListener("error", onError);
      payload.removeListener("close", onClose);
      budget.release(receiving);
      chunks.length = 0;
      done(err, body);
    };
    const receiving: Receiving = { startedAt: Date.now(), bytes: 0, lastDataAt: 0, drop: () => settle(overloaded()) };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > bodyLimit) {
        settle(new GatewayError("PAYLOAD_TOO_LARGE", `the request body is over the limit of ${bodyLimit} bytes`));
        return;
      }
      if (!budget.take(receiving, chunk.length)) {
        budget.refused++;
        settle(overloaded());
        return;
      }
      received += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (!Number.isNaN(declared) && received !== declared) {
        settle(new GatewayError("BAD_REQUEST", "Content-Length does not match the body"));
        return;
      }
      // Always a copy: the chunks may be views of a buffer node reuses.
      settle(null, Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => settle(Object.assign(err, { statusCode: 400 }));
    // The client went away (or Node closed a stalled request at HTTP_REQUEST_TIMEOUT_MS): its bytes go.
    const onClose = () => settle(new GatewayError("BAD_REQUEST", "the connection closed before the body was complete"));
    payload.on("data", onData);
    payload.on("end", onEnd);
    payload.on("error", onError);
    payload.on("close", onClose);
    payload.resume();
  };
}
