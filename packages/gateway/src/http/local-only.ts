import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { GatewayError } from "../errors.js";

/** A client on this machine, talking to the gateway directly, not through a proxy that forwards others. */
export function fromThisMachine(request: FastifyRequest): boolean {
  const address = request.socket.remoteAddress ?? "";
  const loopback = address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
  return loopback && request.headers["forwarded"] === undefined && request.headers["x-forwarded-for"] === undefined;
}

/**
 * An onRequest hook for the admin endpoints on the public port: they answer this machine only, as
 * if bound to 127.0.0.1. Fastify has decoded the path before routing, so `/%5F/services` is the same
 * route and meets the same hook.
 */
export function thisMachineOnly(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (fromThisMachine(request)) done();
  else {
    done(
      new GatewayError(
        "ADMIN_FORBIDDEN",
        "the admin endpoints answer on ADMIN_PORT, or on this port to this machine only (loopback, not through a proxy)",
      ),
    );
  }
}
