import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers as natsHeaders, type Msg, type NatsConnection } from "@nats-io/transport-node";
import {
  StreamHeaders,
  streamControlSubject,
  streamReplySubject,
} from "@switchyard/protocol";
import { startRoleServer, type RoleServer } from "./role-server.js";

// The subjects of a stream (streaming.ts) under the credentials of each role: a service sends the
// messages of its own contracts' streams to the gateway, the gateway sends credit and cancels to the
// services, and neither reaches further.
describe("NATS credentials for streams", () => {
  let server: RoleServer;

  before(async () => {
    server = await startRoleServer({ jetstream: false });
  });

  after(async () => {
    await server?.close();
  });

  const as = (role: string): Promise<NatsConnection> => server.as(role);

  it("lets a users instance send several messages of a users stream to the gateway, and the gateway send it credit", async () => {
    const gateway = await as("gateway");
    const users = await as("users");
    const reply = streamReplySubject("_INBOX_gateway", "users.v1.UserService", "s1");
    const control = streamControlSubject("_INBOX_users", "instance1", "1");
    const messages = received(gateway, reply, 3);
    const credit = received(users, control, 1);
    await gateway.flush();
    await users.flush();
    for (let seq = 1; seq <= 3; seq++) users.publish(reply, `m${seq}`);
    const ack = natsHeaders();
    ack.set(StreamHeaders.ack, "3");
    gateway.publish(control, undefined, { headers: ack });
    assert.deepEqual((await messages).map((m) => m.string()), ["m1", "m2", "m3"]);
    assert.equal((await credit)[0]?.headers?.get(StreamHeaders.ack), "3");
  });

  it("keeps a users instance off other contracts' streams and off the gateway's other inboxes", async () => {
    const users = await as("users");
    for (const subject of [
      streamReplySubject("_INBOX_gateway", "inventory.v1.InventoryService", "s1"),
      "_INBOX_gateway.stream.users.v1.UserService.s1.extra",
      "_INBOX_gateway.abc",
      streamControlSubject("_INBOX_inventory", "instance1", "1"),
    ]) {
      await assertPublishRefused(users, subject);
    }
  });

  it("keeps the gateway off the services' inboxes but for their control subjects", async () => {
    const gateway = await as("gateway");
    for (const subject of ["_INBOX_users.abc", "_INBOX_users.stream.instance1", "_INBOX_users.stream.instance1.1.extra"]) {
      await assertPublishRefused(gateway, subject);
    }
  });
});

/** The first `count` messages on the subject, once they came. */
function received(nc: NatsConnection, subject: string, count: number): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const msgs: Msg[] = [];
    const timer = setTimeout(() => reject(new Error(`${msgs.length} of ${count} messages reached ${subject} within 2 s`)), 2000);
    nc.subscribe(subject, {
      max: count,
      callback: (err, msg) => {
        if (err !== null) return reject(err);
        msgs.push(msg);
        if (msgs.length === count) {
          clearTimeout(timer);
          resolve(msgs);
        }
      },
    });
  });
}

/** The server refuses a publish to the subject: it says so on the connection. */
async function assertPublishRefused(nc: NatsConnection, subject: string): Promise<void> {
  const statuses = nc.status();
  const refused = (async () => {
    for await (const s of statuses) {
      if (s.type === "error" && s.error.name === "PermissionViolationError" && s.error.message.includes(`Publish to "${subject}"`)) return;
    }
  })();
  nc.publish(subject, "rogue");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([refused, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`publishing to ${subject} was not refused within 2 s`)), 2000)))]).finally(() =>
    clearTimeout(timer),
  );
}
