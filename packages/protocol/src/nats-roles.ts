import { IDEMPOTENCY_BUCKET } from "./idempotency.js";
import { TRAFFIC_BUCKET } from "./traffic.js";

/**
 * One kind of process on NATS, with a NATS user of its own: what it may do follows from what it is
 * (nats-permissions.ts), and it reads its replies under an inbox prefix no other role may read.
 */
export type NatsRole = GatewayRole | ServiceRole;

/** The gateway: asks every service role's RPCs, discovery and descriptors; owns its buckets. */
export interface GatewayRole {
  readonly kind: "gateway";
  /** The NATS user, and the name of the role's env file. */
  readonly name: string;
  /** Where its replies arrive (NATS_INBOX_PREFIX): it may subscribe there and nowhere else. */
  readonly inboxPrefix: string;
  /** The JetStream KV buckets it reads and writes. */
  readonly buckets: readonly string[];
}

/** Every instance of the implementations of some contracts, in any language. */
export interface ServiceRole {
  readonly kind: "service";
  readonly name: string;
  readonly inboxPrefix: string;
  /** The contract services it serves (`users.v1.UserService`): their RPCs, deployments and descriptors. */
  readonly contracts: readonly string[];
  /** Its NATS micro service names (`users`): the `$SRV.<verb>.<name>[.<id>]` it answers. */
  readonly services: readonly string[];
  readonly buckets: readonly string[];
}

/**
 * The processes of Switchyard: the gateway, the users implementations (users-ts and users-rb share
 * one role, as they share the queue group and the bucket) and inventory-ts. A new service is a new
 * role here: the gateway may ask only the RPCs of the roles listed.
 */
export const SWITCHYARD_ROLES: readonly NatsRole[] = [
  {
    kind: "gateway",
    name: "gateway",
    // The gateway's replies arrive under nats.js's default prefix: its request mux
    // (packages/gateway/src/nats/request-mux.ts) makes its inbox with createInbox() and no prefix.
    inboxPrefix: "_INBOX_gateway",
    buckets: [TRAFFIC_BUCKET, IDEMPOTENCY_BUCKET],
  },
  {
    kind: "service",
    name: "users",
    inboxPrefix: "_INBOX_users",
    contracts: ["users.v1.UserService"],
    services: ["users"],
    // services/users-ts/src/keys.ts, services/users-rb/lib/users/keys.rb
    buckets: ["users"],
  },
  {
    kind: "service",
    name: "inventory",
    inboxPrefix: "_INBOX_inventory",
    contracts: ["inventory.v1.InventoryService"],
    services: ["inventory"],
    // services/inventory-ts/src/names.ts
    buckets: ["inventory"],
  },
];
