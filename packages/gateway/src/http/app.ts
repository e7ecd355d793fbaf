import { randomUUID } from "node:crypto";
import { toBinary, type DescService } from "@bufbuild/protobuf";
import type { NatsConnection } from "@nats-io/transport-node";
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from "fastify";
import type { GatewayConfig } from "../config.js";
import { GatewayError } from "../errors.js";
import { ServiceCaller } from "../nats/call-service.js";
import { routesOf } from "../routes/route.js";
import { RouteTable, type RouteMatch } from "../routes/route-table.js";
import { requestFromJson } from "../transcode/json-request.js";
import { replyToJson } from "../transcode/json-reply.js";
import { replyWithError } from "./problem-reply.js";

export interface GatewayOptions {
  nc: NatsConnection;
  /** The contracts' services; every google.api.http rule on their RPCs becomes a route. */
  services: Iterable<DescService>;
  config: Pick<GatewayConfig, "requestTimeoutMs" | "bodyLimitBytes" | "logLevel" | "accessLog">;
}

declare module "fastify" {
  interface FastifyRequest {
    routeMatch: Extract<RouteMatch, { kind: "found" }> | undefined;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The gateway's HTTP side: one catch-all Fastify route in front of the route table. */
export function buildGateway(options: GatewayOptions): FastifyInstance {
  const { nc, config } = options;
  const table = new RouteTable(routesOf(options.services));
  const caller = new ServiceCaller(nc, config.requestTimeoutMs);

  const app = Fastify({
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: !config.accessLog }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  });

  // JSON only: anything else is a 415 rather than a string handed to the transcoder.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("routeMatch", undefined);
  app.decorate("routeTable", table);
  app.decorate("natsConnected", () => caller.connected);

  // Route first, so an unknown path is a 404 whatever its body or content type. A callback hook,
  // not an async one: this runs on every request.
  app.addHook("onRequest", (request, _reply, done) => {
    const match = table.match(request.method, pathOf(request));
    if (match.kind === "found") {
      request.routeMatch = match;
      done();
    } else if (match.kind === "not-found") {
      done(new GatewayError("ROUTE_NOT_FOUND", `no route for ${request.method} ${pathOf(request)}`));
    } else {
      done(new GatewayError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here`, undefined, { allow: match.allow.join(", ") }));
    }
  });

  app.all("*", async (request, reply) => {
    const { route, params } = request.routeMatch!;
    const body = route.body === undefined ? undefined : request.body;
    const message = requestFromJson(route, body, params, request.query as Record<string, string | string[]>);
    const data = await caller.call(route.subject, toBinary(route.method.input, message), request.id);
    return reply.type("application/json").header("x-request-id", request.id).send(replyToJson(route, data));
  });

  app.setErrorHandler((err, request, reply) => replyWithError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    replyWithError(new GatewayError("ROUTE_NOT_FOUND", `no route for ${request.method} ${pathOf(request)}`), request, reply),
  );
  return app;
}

function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf("?");
  return q === -1 ? request.url : request.url.slice(0, q);
}

declare module "fastify" {
  interface FastifyInstance {
    routeTable: RouteTable;
    natsConnected: () => boolean;
  }
}
