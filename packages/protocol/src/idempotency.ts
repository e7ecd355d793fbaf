/**
 * The JetStream key-value bucket where gateways keep what they answered to requests sent with an
 * `Idempotency-Key`: one record per (client scope, route, key), hashed, for IDEMPOTENCY_TTL_S
 * (default 24 h). Services' replies to such requests are captured in it too: the gateway sends
 * the request with a reply subject inside the bucket (`$KV.switchyard-idempotency.<record>.<attempt>`),
 * so JetStream stores the reply the moment the service publishes it, whatever becomes of the
 * gateway. Services need no permission beyond answering the requests they receive.
 */
export const IDEMPOTENCY_BUCKET = "switchyard-idempotency";

