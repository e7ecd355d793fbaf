import { create, toBinary, type DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { Svcm, type Service, type ServiceMsg } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  ConfigError,
  DEPLOYMENT_NAME,
  Headers,
  Metadata,
  contractDescriptors,
  deploymentEndpointName,
  deploymentFromEnv,
  deploymentSubject,
  descriptorsSubject,
  errorStatus,
  methodSubject,
  prepareRules,
  queueGroup,
  WriteBatching,
} from "@switchyard/protocol";
import { ServiceError } from "./service-error.js";
import { decodeRequest } from "./decode-request.js";
import type { ServiceImpl } from "./service-impl.js";
import { onceOnly } from "./auth.js";
import { deadlineExceeded, deadlineOf, isPast } from "./deadline.js";
import { respondError, toServiceError } from "./error-reply.js";
import { Replies, RequestContext, type ContextShared } from "./request-context.js";
import { serveStream } from "./serve-stream.js";
import { StreamControls } from "./stream-controls.js";
import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import { parentContext, RPC_SYSTEM, SpanAttr, startTracing, type Tracing } from "@switchyard/telemetry";
import { defaultLogger, type Logger } from "./logger.js";

export interface ServeOptions<Methods extends GenServiceMethods> {
  nc: NatsConnection;
  /** The generated service descriptor: every RPC becomes an endpoint. */
  service: GenService<Methods>;
  /** RPCs without a handler answer UNIMPLEMENTED, so an implementation can lag behind its contract. */
  implementation: Partial<ServiceImpl<Methods>>;
  /**
   * The micro service name discovery shows ($SRV.INFO.users, `switchyard services`) and the default
   * deployment's stem (`users-ts`); runService's name is the process's, in its log lines.
   */
  name: string;
  /** SemVer. */
  version: string;
  description?: string;
  /**
   * The deployment this instance belongs to; default SWITCHYARD_DEPLOYMENT, else `<name>-ts`. The
   * instance serves every RPC on the shared subject and on its deployment's own.
   */
  deployment?: string;
  /** Extra metadata; `language`, `contract` and `deployment` are set by the SDK. */
  metadata?: Record<string, string>;
  /** JSON lines named after the deployment by default. */
  logger?: Logger;
}

export interface RunningService {
  /** The micro service instance id. */
  readonly id: string;
  readonly deployment: string;
  /** Stops taking requests and resolves once every request in flight has been answered. */
  stop(): Promise<void>;
}

/** Registers the implementation on the NATS services API, one endpoint per RPC, in the contract's queue group. */
export async function serve<Methods extends GenServiceMethods>(
  options: ServeOptions<Methods>,
): Promise<RunningService> {
  const { nc, service, implementation } = options;
  const contract = contractDescriptors(service.file);
  const revision = process.env["BUILD_REVISION"];
  const deployment = options.deployment ?? deploymentFromEnv(process.env, `${options.name}-ts`);
  if (!DEPLOYMENT_NAME.test(deployment)) throw new ConfigError("SWITCHYARD_DEPLOYMENT", `"${deployment}" is not a deployment name`);
  const logger = options.logger ?? defaultLogger(deployment);
  const svc = await new Svcm(nc).add({
    name: options.name,
    version: options.version,
    description: options.description ?? service.typeName,
    queue: queueGroup(service),
    metadata: {
      ...options.metadata,
      [Metadata.language]: "typescript",
      [Metadata.contract]: service.file.proto.package,
      [Metadata.deployment]: deployment,
      [Metadata.descriptors]: descriptorsSubject(contract.digest),
      [Metadata.contractDigest]: contract.digest,
      ...(nc.info?.server_name ? { [Metadata.natsServer]: nc.info.server_name } : {}),
      ...(revision ? { [Metadata.revision]: revision } : {}),
    },
  });
  // The contract travels with the service, so a gateway can serve a contract it was not built with.
  // A plain subscription, not an endpoint: the endpoints are the contract's RPCs.
  const descriptors = nc.subscribe(descriptorsSubject(contract.digest), {
    queue: queueGroup(service),
    callback: (_err, msg) => void msg.respond(contract.bytes),
  });

  // On only when the OTLP variables are set; off, no span is made at all.
  const tracing = startTracing({
    serviceName: deployment,
    serviceVersion: options.version,
    attributes: { "service.instance.id": svc.info().id, [SpanAttr.deployment]: deployment },
  });
  const inflight = new Set<Promise<void>>();
  // Only a contract with server-streaming RPCs needs the subscription its callers' credit comes on.
  const streams = service.methods.some((m) => m.methodKind === "server_streaming")
    ? new StreamControls(nc, (err) => logger.error("stream control subscription refused: streams get no credit", err))
    : undefined;
  const shared: ContextShared = {
    replies: new Replies(deployment),
    batching: new WriteBatching(nc),
    instanceId: svc.info().id,
    malformedAuth: onceOnly((reason) =>
      logger.error(`malformed auth headers (${reason}): requests carrying them are served without auth; further ones are not logged`),
    ),
  };
  for (const method of service.methods) {
    prepareRules(method.input);
    const handler = (implementation as Record<string, Handler | undefined>)[method.localName];
    // The shared endpoint takes what the contract's queue group spreads; the deployment's own takes
    // what a traffic policy sends to this deployment. Each keeps its own $SRV.STATS counters.
    const endpoints = [
      { name: method.name, subject: methodSubject(method), queue: queueGroup(service) },
      { name: deploymentEndpointName(method.name, deployment), subject: deploymentSubject(deployment, methodSubject(method)), queue: deployment },
    ];
    for (const endpoint of endpoints) {
      // nats.js handles a subscription error itself (it closes the service): msg is all there is.
      svc.addEndpoint(endpoint.name, {
        subject: endpoint.subject,
        queue: endpoint.queue,
        handler: (_err, msg) => {
          const start = performance.now();
          // The deadline counts from here: the SDK starts every request it receives at once.
          const deadline = deadlineOf(msg.headers?.get(Headers.timeoutMs) || undefined, Date.now());
          const span = tracing === undefined ? undefined : startSpan(tracing.tracer, msg, method, endpoint.queue, deployment);
          const answer =
            method.methodKind === "server_streaming" && streams !== undefined
              ? serveStream(method, handler, implementation, msg, shared, deadline, logger, streams)
              : handle(method, handler, implementation, msg, shared, deadline, logger);
          const done = answer.then((error) => {
            if (span !== undefined) endSpan(span, error);
            inflight.delete(done);
            if (counters !== undefined) count(counters, performance.now() - start, error);
          });
          inflight.add(done);
        },
      });
      // addEndpoint made the endpoint's counters; they live as long as the service.
      const counters = endpointCounters(svc, endpoint.name);
    }
  }

  return {
    get id() {
      return svc.info().id;
    },
    deployment,
    async stop() {
      // Draining the endpoint subscriptions lets messages already delivered reach their handlers.
      await Promise.all([svc.stop(), descriptors.drain()]);
      // A stream does not outlive its instance: its caller may resume it from another one.
      streams?.stopAll(new ServiceError("UNAVAILABLE", "the instance is stopping; resume the stream on another"));
      await Promise.allSettled([...inflight]);
      await streams?.drain();
      await shutdownTracing(tracing, logger);
    },
  };
}

type Handler = (request: unknown, context: RequestContext) => unknown;

/**
 * Answers one request; resolves with the error it replied with, if any. Past its deadline a request
 * is not started: DEADLINE_EXCEEDED. A handler that ends past it is answered DEADLINE_EXCEEDED,
 * whatever it said, only when its RPC is declared NO_SIDE_EFFECTS (it cannot have written); any
 * other handler's outcome stands, late or not, since only the handler knows whether it wrote (it
 * stops itself before a write past the deadline: HandlerContext.checkDeadline), and a write that
 * happened must not be reported as failed.
 */
async function handle(
  method: DescMethod,
  handler: Handler | undefined,
  self: unknown,
  msg: ServiceMsg,
  shared: ContextShared,
  deadline: number | undefined,
  logger: Logger,
): Promise<ServiceError | undefined> {
  let context: RequestContext | undefined;
  try {
    // Client and bidirectional streaming RPCs have no handler type: they cannot be served.
    if (handler === undefined || method.methodKind !== "unary") {
      throw new ServiceError("UNIMPLEMENTED", `${methodSubject(method)} is not implemented`);
    }
    if (isPast(deadline)) throw deadlineExceeded("deadline exceeded before the request was handled");
    const request = decodeRequest(method.input, msg.data);
    context = new RequestContext(method, msg, shared, deadline);
    const reply = await handler.call(self, request, context);
    if (lateRead(method, deadline)) throw deadlineExceeded();
    shared.batching.hold();
    msg.respond(toBinary(method.output, create(method.output, reply as never)), { headers: context.replyHeaders ?? shared.replies.plain });
    return undefined;
  } catch (err) {
    let error = toServiceError(err, method, msg, logger);
    if (context !== undefined && lateRead(method, deadline)) error = deadlineExceeded();
    try {
      shared.batching.hold();
      respondError(msg, error, shared.replies.headers());
    } catch (replyErr) {
      logger.error(`${methodSubject(method)}: cannot send the error reply`, replyErr);
    }
    return error;
  } finally {
    context?.dispose();
  }
}

/** A request of an RPC without side effects whose deadline has come: its reply comes too late to be of use. */
function lateRead(method: DescMethod, deadline: number | undefined): boolean {
  return method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS && isPast(deadline);
}

/**
 * The consumer span of one request, continuing the trace the gateway's NATS span started, named
 * and attributed as OpenTelemetry's messaging conventions say.
 */
function startSpan(tracer: Tracer, msg: ServiceMsg, method: DescMethod, queue: string, deployment: string): Span {
  const h = msg.headers;
  return tracer.startSpan(
    `process ${msg.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [SpanAttr.messagingSystem]: "nats",
        [SpanAttr.messagingOperationName]: "process",
        [SpanAttr.messagingOperationType]: "process",
        [SpanAttr.messagingDestination]: msg.subject,
        [SpanAttr.messagingConsumerGroup]: queue,
        [SpanAttr.rpcSystem]: RPC_SYSTEM,
        [SpanAttr.rpcService]: method.parent.typeName,
        [SpanAttr.rpcMethod]: method.name,
        [SpanAttr.deployment]: deployment,
      },
    },
    parentContext(h?.get(Headers.traceparent) || undefined, h?.get(Headers.tracestate) || undefined),
  );
}

/** An error reply is `error.type` its code; the span is an error only when the code is a 5xx. */
function endSpan(span: Span, error: ServiceError | undefined): void {
  if (error !== undefined) {
    span.setAttribute(SpanAttr.errorType, error.code);
    if (errorStatus(error.code) >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

async function shutdownTracing(tracing: Tracing | undefined, logger: Logger): Promise<void> {
  try {
    await tracing?.shutdown();
  } catch (err) {
    logger.error("tracing: the last spans could not be exported", err);
  }
}


/** The counters $SRV.STATS reports for one endpoint. */
interface EndpointCounters {
  num_requests: number;
  num_errors: number;
  processing_time: number;
  average_processing_time: number;
  last_error?: string;
}

/**
 * $SRV.STATS as the protocol means it: nats.js times a handler only until it returns (our handlers
 * are async, so about 0) and counts an error only when the handler throws (ours reply instead).
 * So the SDK keeps each endpoint's counters itself, on the stats object the library reports,
 * which nats.js 3.0.0-25 (pinned exactly) does not expose publicly.
 */
function endpointCounters(svc: Service, name: string): EndpointCounters | undefined {
  const handlers = (svc as unknown as { handlers?: { name: string; stats?: EndpointCounters }[] }).handlers ?? [];
  return handlers.find((h) => h.name === name)?.stats;
}

/** Adds one finished request: the library counted it and its synchronous part already. */
function count(counters: EndpointCounters, ms: number, error: ServiceError | undefined): void {
  counters.processing_time += Math.round(ms * 1e6);
  counters.average_processing_time = Math.round(counters.processing_time / Math.max(1, counters.num_requests));
  if (error !== undefined) {
    counters.num_errors++;
    counters.last_error = `${errorStatus(error.code)}:${error.message}`;
  }
}
