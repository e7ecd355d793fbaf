/**
 * The JetStream key-value bucket holding the traffic policies, one key per contract service
 * (`users.v1.UserService`); every gateway watches it, and its history is the policies' revisions.
 */
export const TRAFFIC_BUCKET = "switchyard-traffic";

/** Revisions kept per service: what `switchyard traffic history` and rollback can reach. */
export const TRAFFIC_HISTORY = 64;
