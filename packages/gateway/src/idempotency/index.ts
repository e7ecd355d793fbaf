export { IdempotencyStore, type IdempotencyCounts, type IdempotencyOptions } from "./idempotency-store.js";
export { idempotencyApplies, type Capture, type IdempotentRequest, type IdempotentResult, type SendRequest } from "./idempotent-request.js";
export type { IdempotencyLog } from "./idempotency-bucket.js";
export { idempotencyConfigFromEnv, DEFAULT_IDEMPOTENCY_TTL_S, type IdempotencySettings } from "./idempotency-config.js";
export { parseIdempotencyKey, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, MAX_KEY_LENGTH } from "./idempotency-key.js";
export { captureRequest, capturedReply } from "./captured-request.js";
export { problemResponse, replyResponse, type StoredResponse } from "./stored-response.js";
export { fingerprintOf, recordKeyOf, serviceKeyOf } from "./fingerprint.js";
export { outcomeOf, type Outcome } from "./outcome.js";
