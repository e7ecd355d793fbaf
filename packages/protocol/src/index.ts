export { methodSubject, queueGroup } from "./subjects.js";
export { Headers } from "./headers.js";
export { ErrorCode, errorStatus, isErrorCode, type ErrorCodeName } from "./error-codes.js";
export { prepareRules, ruleViolation, type RuleViolation } from "./request-rules.js";
export { regexMatch, toPlatformRegExp } from "./fast-regex.js";
export { ConfigError } from "./config-error.js";
export { natsOptionsFromEnv } from "./nats-env.js";
export { natsTlsFromEnv } from "./nats-tls.js";
export { KV_REPLICAS_VARIABLE, kvReplicas, kvReplicasFromEnv, withKvReplicas } from "./kv-replicas.js";
export { isNatsServerUrl, redactNatsUrl } from "./nats-url.js";
export { connectNats, NatsConnectError, type ConnectNatsSettings, type NatsConnectFailure, type NatsLog } from "./nats-connect.js";
export { SWITCHYARD_ROLES, type GatewayRole, type NatsRole, type ServiceRole } from "./nats-roles.js";
export { bucketSubjects, rolePermissions, type NatsPermissions } from "./nats-permissions.js";
export {
  SERVER_CONFIG_FILE,
  roleEnvFile,
  serverConfig,
  writeNatsCredentials,
  type WriteNatsCredentialsOptions,
  type WrittenNatsCredentials,
} from "./nats-credentials.js";
export { contractDescriptors, contractDigest, descriptorsSubject } from "./descriptors.js";
export { Metadata } from "./metadata.js";
export { DEPLOYMENT_NAME, deploymentEndpointName, deploymentFromEnv, deploymentSubject, rpcSubjectOf } from "./deployment.js";
export { TRAFFIC_BUCKET, TRAFFIC_HISTORY } from "./traffic.js";
export { IDEMPOTENCY_BUCKET } from "./idempotency.js";
export {
  STREAM_HEARTBEAT_MS,
  STREAM_IDLE_MS,
  STREAM_WINDOW,
  StreamHeaders,
  streamControlSubject,
  streamControlSubjects,
  streamReplySubject,
  streamReplySubjects,
} from "./streaming.js";
export { WriteBatching } from "./write-batching.js";
