import type { GatewayRole, NatsRole, ServiceRole } from "./nats-roles.js";
import { streamControlSubjects, streamReplySubjects } from "./streaming.js";

/** What one role's NATS user may do, as nats-server's `permissions` block says it. */
export interface NatsPermissions {
  /** Subjects it may publish to (requests included: a request is a publish). */
  readonly publish: readonly string[];
  /** Subjects it may subscribe to; `<subject> <queue>` only in that queue group. */
  readonly subscribe: readonly string[];
  /** It may reply once to each request it received, whatever the reply subject. */
  readonly allowResponses: boolean;
}

const DEPLOYMENT_PREFIX = "switchyard.deployment";
const DESCRIPTORS_PREFIX = "switchyard.descriptors";
const SRV_VERBS = ["PING", "INFO", "STATS"] as const;

/**
 * Least privilege for each role (nats-roles.ts), from the subjects the code uses:
 *
 * - the gateway publishes to the RPCs of every service role (`<contract>.<rpc>` and
 *   `switchyard.deployment.<deployment>.<contract>.<rpc>`), to the services API (`$SRV.>`) and to
 *   descriptor subjects, and uses its own buckets; it subscribes to its inbox and its buckets'
 *   subjects only, so it can neither join a service's queue group nor answer a request;
 * - a service subscribes to its contracts' RPC subjects in their queue groups (the contract's
 *   queue for the shared subject, any deployment's for `switchyard.deployment.*`), to the
 *   descriptor subjects in its contract's queue, and to `$SRV.PING|INFO|STATS` and their forms for
 *   its service names; it replies through allow_responses and publishes only to its own buckets;
 * - streams (streaming.ts): a service publishes the messages of a stream to the gateway's stream
 *   reply subjects of its own contracts (`_INBOX_gateway.stream.users.v1.UserService.*`: several
 *   messages, which allow_responses' one reply does not cover), and the gateway publishes credit
 *   and cancels to the services' control subjects (`_INBOX_users.stream.*.*`), which each service
 *   receives under its own inbox prefix;
 * - every role subscribes to its own inbox prefix and no other (`_INBOX.>` is the gateway's).
 */
export function rolePermissions(role: NatsRole, roles: readonly NatsRole[]): NatsPermissions {
  const inbox = `${role.inboxPrefix}.>`;
  const buckets = [...new Set(role.buckets.flatMap(bucketSubjects))];
  if (role.kind === "gateway") {
    const services = roles.filter((r): r is ServiceRole => r.kind === "service");
    const rpcs = services.flatMap((s) => s.contracts).flatMap((c) => [`${c}.*`, `${DEPLOYMENT_PREFIX}.*.${c}.*`]);
    const controls = services.map((s) => streamControlSubjects(s.inboxPrefix));
    return {
      publish: [...rpcs, "$SRV.>", `${DESCRIPTORS_PREFIX}.*`, ...controls, ...buckets],
      // Its buckets' subjects too: a request with an Idempotency-Key has its reply sent into the
      // idempotency bucket, where the gateway receives it as JetStream stores it.
      subscribe: [inbox, ...role.buckets.map((b) => `$KV.${b}.>`)],
      allowResponses: false,
    };
  }
  const subscribe = role.contracts.flatMap((c) => {
    const queue = c.replaceAll(".", "-");
    return [`${c}.* ${queue}`, `${DEPLOYMENT_PREFIX}.*.${c}.* *`, `${DESCRIPTORS_PREFIX}.* ${queue}`];
  });
  const discovery = SRV_VERBS.flatMap((verb) => [`$SRV.${verb}`, ...role.services.flatMap((s) => [`$SRV.${verb}.${s}`, `$SRV.${verb}.${s}.*`])]);
  const gateways = roles.filter((r): r is GatewayRole => r.kind === "gateway");
  const streams = gateways.flatMap((g) => role.contracts.map((c) => streamReplySubjects(g.inboxPrefix, c)));
  return { publish: [...streams, ...buckets], subscribe: [...subscribe, ...discovery, inbox], allowResponses: true };
}

/**
 * The JetStream subjects of one key-value bucket, as nats.js (@nats-io/kv) and nats-pure use them:
 * open or create its stream, read (direct and stream gets), watch and list keys (ordered push
 * consumers, with their flow control), write ($KV.<bucket>.<key>). Deleting or purging the stream
 * is not among them, nor any other bucket's.
 */
export function bucketSubjects(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    "$JS.API.INFO",
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.FC.${stream}.>`,
    `$KV.${bucket}.>`,
  ];
}
