/**
 * The span attribute names Switchyard sets, from OpenTelemetry's semantic conventions (HTTP, RPC,
 * messaging), defined once for the gateway and the TypeScript SDK; the Ruby SDK mirrors them.
 */
export const SpanAttr = {
  httpMethod: "http.request.method",
  httpRoute: "http.route",
  httpStatus: "http.response.status_code",
  urlPath: "url.path",
  urlScheme: "url.scheme",
  serverAddress: "server.address",
  userAgent: "user_agent.original",
  errorType: "error.type",
  messagingSystem: "messaging.system",
  messagingDestination: "messaging.destination.name",
  messagingOperationName: "messaging.operation.name",
  messagingOperationType: "messaging.operation.type",
  messagingConsumerGroup: "messaging.consumer.group.name",
  rpcSystem: "rpc.system",
  rpcService: "rpc.service",
  rpcMethod: "rpc.method",
  /** The deployment a request was sent to (gateway) or that served it (service). */
  deployment: "switchyard.deployment",
  /** A Switchyard request id, as Switchyard-Request-Id carries it. */
  requestId: "switchyard.request_id",
} as const;

/** rpc.system of every Switchyard span: requests are Protobuf RPCs over NATS, not gRPC. */
export const RPC_SYSTEM = "switchyard";
