export { startNatsServer, type NatsServer, type NatsServerOptions } from "./nats-server.js";
export { startNatsCluster, type NatsCluster, type NatsClusterNode, type NatsClusterOptions } from "./nats-cluster.js";
export {
  startTarget,
  describeExit,
  describeOutput,
  type Target,
  type TargetExit,
  type TargetOptions,
} from "./command-process.js";
export { freePort } from "./free-port.js";
export { startOtlpReceiver, SpanKindCode, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
export { StreamCall, isStreamEnd } from "./stream-call.js";
export { assertBucketRefused, assertPublishRefused, assertSubscribeRefused } from "./nats-refusals.js";
