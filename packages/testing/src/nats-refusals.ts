import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

// What a NATS server refuses a connection, asserted the same way by the permission tests and the
// rogue-client fault scenario: each waits for the server's own Permissions Violation, 2 s at most.

/** The server refuses the subscription, and no message reaches it meanwhile. */
export async function assertSubscribeRefused(nc: NatsConnection, subject: string, queue?: string): Promise<void> {
  const refused = new Promise<Error>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscribing to ${subject} was not refused within 2 s`)), 2000);
    nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (err) => {
        clearTimeout(timer);
        if (err !== null) resolve(err);
        else reject(new Error(`a message reached ${subject}`));
      },
    });
  });
  const err = await refused;
  assert.equal(err.name, "PermissionViolationError");
  assert.match(err.message, new RegExp(`Subscription to "${escape(subject)}"${queue === undefined ? "" : ` using queue "${escape(queue)}"`}`));
}

/** The server refuses a publish to the subject (a request is one): it says so on the connection. */
export async function assertPublishRefused(nc: NatsConnection, subject: string): Promise<void> {
  const statuses = nc.status();
  const refused = (async () => {
    // Returning ends the iteration, and with it the listener.
    for await (const s of statuses) {
      if (s.type === "error" && s.error.name === "PermissionViolationError" && s.error.message.includes(`Publish to "${subject}"`)) return;
    }
  })();
  nc.publish(subject, "rogue");
  await withTimeout(refused, 2000, `publishing to ${subject} was not refused within 2 s`);
}

/** Neither its stream, its keys (read directly or through a consumer) nor a write reach the bucket. */
export async function assertBucketRefused(nc: NatsConnection, bucket: string): Promise<void> {
  const refused = (subject: string) => ({ message: `Permissions Violation for Publish to "${subject}"` });
  const stream = `KV_${bucket}`;
  await assert.rejects(new Kvm(jetstream(nc, { timeout: 2000 })).open(bucket).then((kv) => kv.status()), refused(`$JS.API.STREAM.INFO.${stream}`));
  const direct = `$JS.API.DIRECT.GET.${stream}.$KV.${bucket}.k`;
  await assert.rejects(nc.request(direct, "", { timeout: 2000 }), refused(direct));
  await assert.rejects(nc.request(`$JS.API.CONSUMER.CREATE.${stream}`, "{}", { timeout: 2000 }), refused(`$JS.API.CONSUMER.CREATE.${stream}`));
  await assertPublishRefused(nc, `$KV.${bucket}.k`);
  await assertSubscribeRefused(nc, `$KV.${bucket}.>`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
