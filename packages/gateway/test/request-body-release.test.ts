import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles, UserSchema } from "@switchyard/contracts";
import { buildGateway } from "@switchyard/gateway";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import type { FastifyInstance } from "fastify";
import { testConfig } from "./harness.js";

// The body as read is let go once the NATS payload is made, not held for the round trip: held, a
// large body outlived young-generation collections and cost full mark-compacts (README, Performance).
describe("a forwarded request's body", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let app: FastifyInstance;
  let users: RunningService;
  const bodyAtAnswer: unknown[] = [];

  before(async () => {
    ns = await startNatsServer();
    nc = await connect({ servers: ns.url, noAsyncTraces: true });
    app = buildGateway({ nc, services: contractFiles.flatMap((f) => f.services), config: testConfig });
    app.addHook("onSend", async (request) => {
      bodyAtAnswer.push(request.body);
    });
    await app.ready();
    users = await startUsersService(nc, { info: () => undefined, error: () => undefined });
  });
  after(async () => {
    await users.stop();
    await app.close();
    await nc.close();
    await ns.stop();
  });

  it("is not held by the request once a JSON body is transcoded", async () => {
    bodyAtAnswer.length = 0;
    const res = await app.inject({ method: "POST", url: "/users", payload: { firstName: "Ada", lastName: "Lovelace" } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyAtAnswer, [undefined]);
  });

  it("is not held by the request once Protobuf bytes are framed", async () => {
    bodyAtAnswer.length = 0;
    const user = toBinary(UserSchema, create(UserSchema, { firstName: "Grace", lastName: "Hopper" }));
    const res = await app.inject({ method: "POST", url: "/users", headers: { "content-type": "application/x-protobuf" }, payload: Buffer.from(user) });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyAtAnswer, [undefined]);
  });

  it("is not held by the request once a Connect message is read", async () => {
    bodyAtAnswer.length = 0;
    const res = await app.inject({
      method: "POST",
      url: "/users.v1.UserService/CreateUser",
      headers: { "content-type": "application/json" },
      payload: { user: { firstName: "Katherine", lastName: "Johnson" } },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(bodyAtAnswer, [undefined]);
  });
});
