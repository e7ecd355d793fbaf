export { startNatsServer, type NatsServer, type NatsServerOptions } from "./nats-server.js";
export { startNatsCluster, type NatsCluster, type NatsClusterNode, type NatsClusterOptions } from "./nats-cluster.js";
export { startTarget, NATS_ENV, type Target, type TargetExit, type TargetOptions } from "./command-process.js";
export {
  startProcess,
  describeExit,
  describeOutput,
  killAtExit,
  type LogLine,
  type ProcessExit,
  type ProcessOptions,
  type TestProcess,
} from "./start-process.js";
export { freePort } from "./free-port.js";
export { REPO_ROOT } from "./repo-root.js";
export { bundleGateway } from "./bundle-gateway.js";
export { cpuMsOfStat, rssKbOfStatus, statFields } from "./proc-stat.js";
export { startOtlpReceiver, SpanKindCode, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";
export { StreamCall, isStreamEnd } from "./stream-call.js";
export { assertBucketRefused, assertPublishRefused, assertSubscribeRefused } from "./nats-refusals.js";
