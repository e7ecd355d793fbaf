import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { RequestError } from "@nats-io/transport-node";
import { UserService } from "@switchyard/contracts";
import { queueGroup } from "@switchyard/protocol";
import { describeOutput, REPO_ROOT, startTarget, type Target } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };

/** The published clients, unchanged, over HTTP/1.1: each protocol and codec the gateway speaks. */
const TRANSPORTS: Record<string, (baseUrl: string) => Transport> = {
  "Connect, JSON": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  "Connect, Protobuf": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  "Connect, GET for NO_SIDE_EFFECTS": (baseUrl) => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, useHttpGet: true }),
  "gRPC-Web, Protobuf": (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
};

interface Implementation {
  readonly language: string;
  start(stack: Stack): Promise<() => Promise<void>>;
}

const IMPLEMENTATIONS: Record<string, Implementation> = {
  "users-ts": {
    language: "typescript",
    async start(stack) {
      const service = await startUsersService(stack.nc, quiet);
      return () => service.stop();
    },
  },
  "users-rb": {
    language: "ruby",
    async start(stack) {
      const target = startTarget({ command: "cd services/users-rb && exec bundle exec bin/users-rb", cwd: REPO_ROOT, natsUrl: stack.ns.url });
      await registered(stack, target);
      return () => target.kill();
    },
  },
};

async function registered(stack: Stack, target: Target): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const pings = await stack.nc.requestMany("$SRV.PING.users", undefined, { maxWait: 300 });
      for await (const reply of pings) if (reply.json<{ metadata?: { language?: string } }>().metadata?.language === "ruby") return;
    } catch (err) {
      // No responder yet: the instance is still starting.
      if (!(err instanceof Error && err.name === "NoResponders")) throw err;
    }
    if (target.exit !== undefined || Date.now() > deadline) throw new Error(`users-rb did not register\n${describeOutput(target.output())}`);
    await sleep(100);
  }
}

/**
 * Until nats-server says no one listens on `subject`: it drops a killed instance's subscriptions
 * only once it reads that connection's close, which can come after the process has exited.
 */
async function interestGone(stack: Stack, subject: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await stack.nc.request(subject, undefined, { timeout: 200 });
    } catch (err) {
      if (err instanceof RequestError && err.isNoResponders()) return;
    }
    if (Date.now() > deadline) throw new Error(`${subject} still has a subscriber`);
    await sleep(50);
  }
}

async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  assert.fail("the call succeeded");
}

for (const [name, implementation] of Object.entries(IMPLEMENTATIONS)) {
  describe(`published Connect and gRPC-Web clients through the gateway, against ${name}`, () => {
    let stack: Stack;
    let stop: (() => Promise<void>) | undefined;
    let baseUrl: string;

    before(async () => {
      stack = await startStack({ requestTimeoutMs: 1_500 });
      stop = await implementation.start(stack);
      baseUrl = await stack.app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(async () => {
      await stop?.();
      await stack.close();
    });

    for (const [transportName, transport] of Object.entries(TRANSPORTS)) {
      describe(transportName, () => {
        let client: Client<typeof UserService>;
        const email = `ada.${name}.${transportName.replace(/\W+/g, "-").toLowerCase()}@example.com`;
        before(() => {
          client = createClient(UserService, transport(baseUrl));
        });

        it("calls every users RPC: Ping, CreateUser, GetUser, ListUsers, UpdateUser, StreamUsers, DeleteUser", async () => {
          const ping = await client.ping({});
          assert.equal(ping.servedBy?.language, implementation.language);

          const { id } = await client.createUser({ user: { firstName: "Ada", lastName: "Lovelace", email } });
          assert.ok(id !== "", "an id");
          const got = await client.getUser({ id });
          assert.deepEqual([got.user?.id, got.user?.firstName, got.user?.email], [id, "Ada", email]);

          const listed = [];
          let pageToken = "";
          do {
            const page = await client.listUsers({ pageSize: 100, pageToken });
            listed.push(...page.users.map((u) => u.id));
            pageToken = page.nextPageToken;
          } while (pageToken !== "");
          assert.ok(listed.includes(id), "ListUsers lists the new user");

          const updated = await client.updateUser({ user: { id, firstName: "Augusta" }, updateMask: { paths: ["first_name"] } });
          assert.deepEqual([updated.user?.firstName, updated.user?.lastName], ["Augusta", "Lovelace"]);

          const streamed: string[] = [];
          for await (const message of client.streamUsers({})) streamed.push(message.user?.id ?? "");
          assert.ok(streamed.includes(id), "StreamUsers streams the new user");

          await client.deleteUser({ id });
          assert.equal((await rejection(client.getUser({ id }))).code, Code.NotFound);
        });

        it("gets the service's errors with their Connect codes: not found, invalid argument, already exists", async () => {
          const missing = await rejection(client.getUser({ id: "no-such-user" }));
          assert.equal(missing.code, Code.NotFound, missing.message);

          const blank = await rejection(client.createUser({ user: { firstName: " ", lastName: "Doe" } }));
          assert.equal(blank.code, Code.InvalidArgument, blank.message);
          assert.match(blank.rawMessage, /first_name/, "the message names the field at fault");

          const taken = `taken.${email}`;
          await client.createUser({ user: { firstName: "Ann", lastName: "One", email: taken } });
          const again = await rejection(client.createUser({ user: { firstName: "Ann", lastName: "Two", email: taken } }));
          assert.equal(again.code, Code.AlreadyExists, again.message);
        });
      });
    }

    describe("when the implementation cannot answer", () => {
      before(async () => {
        await stop?.();
        stop = undefined;
        await interestGone(stack, `${UserService.typeName}.Ping`);
      });

      it("is unavailable with no instance left, in every protocol", async () => {
        for (const [transportName, transport] of Object.entries(TRANSPORTS)) {
          const err = await rejection(createClient(UserService, transport(baseUrl)).ping({}));
          assert.equal(err.code, Code.Unavailable, `${transportName}: ${err.message}`);
        }
      });

      it("is deadline exceeded when an instance takes the request and never answers", async () => {
        const silent = stack.nc.subscribe(`${UserService.typeName}.GetUser`, { queue: queueGroup(UserService), callback: () => undefined });
        try {
          for (const [transportName, transport] of Object.entries(TRANSPORTS)) {
            const err = await rejection(createClient(UserService, transport(baseUrl)).getUser({ id: "x" }));
            assert.equal(err.code, Code.DeadlineExceeded, `${transportName}: ${err.message}`);
          }
          // A deadline the client gives that is shorter than the gateway's: the gateway waits only that long.
          const res = await fetch(`${baseUrl}/${UserService.typeName}/GetUser`, {
            method: "POST",
            headers: { "content-type": "application/json", "connect-protocol-version": "1", "connect-timeout-ms": "300" },
            body: JSON.stringify({ id: "x" }),
          });
          assert.equal(res.status, 504);
          assert.deepEqual(await res.json(), { code: "deadline_exceeded", message: "the service did not reply within 300 ms" });
        } finally {
          silent.unsubscribe();
        }
      });
    });
  });
}
