export { methodSubject, queueGroup } from "./subjects.js";
export { Headers } from "./headers.js";
export { ErrorCode, errorStatus, isErrorCode, type ErrorCodeName } from "./error-codes.js";
export { ConfigError } from "./config-error.js";
export { natsOptionsFromEnv } from "./nats-env.js";
export { contractDescriptors, contractDigest, descriptorsSubject } from "./descriptors.js";
export { Metadata } from "./metadata.js";
export { DEPLOYMENT_NAME, deploymentEndpointName, deploymentFromEnv, deploymentSubject, rpcSubjectOf } from "./deployment.js";
export { TRAFFIC_BUCKET, TRAFFIC_HISTORY } from "./traffic.js";
