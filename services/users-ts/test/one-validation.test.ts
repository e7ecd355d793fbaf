import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles, CreateUserRequestSchema, UserSchema } from "@switchyard/contracts";
import { buildGateway, settingsFromEnv } from "@switchyard/gateway";
import { Headers } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance } from "fastify";
import { startUsersService } from "../src/index.js";

const quiet = { info: () => undefined, error: () => undefined };

// One validation: the gateway checks a JSON request's field rules, the SDK a Protobuf one's (passed
// through the gateway, or straight over NATS), with the same rules and the same mapping, so the
// client reads one answer whichever way it asks.
describe("users-ts: a request that breaks a field rule gets one answer", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let users: RunningService;
  let app: FastifyInstance;

  before(async () => {
    ns = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: ns.url });
    users = await startUsersService(nc, quiet);
    app = buildGateway({
      nc,
      services: contractFiles.flatMap((f) => f.services),
      config: { ...settingsFromEnv({}), logLevel: "silent", discoveryIntervalMs: 1000, adminOnMainPort: true },
    });
    await app.ready();
  });
  after(async () => {
    await users.stop();
    await app.close();
    await nc.close();
    await ns.stop();
  });

  const cases = [
    ["a blank first name", { firstName: "  ", lastName: "Doe" }],
    ["a first name of 101 characters", { firstName: "x".repeat(101), lastName: "Doe" }],
    ["an id set on create", { id: "u1", firstName: "Jane", lastName: "Doe" }],
    ["a bad email", { firstName: "Jane", lastName: "Doe", email: "a@b" }],
  ] as const;
  for (const [what, user] of cases) {
    it(`${what}: the same problem+json through JSON and through Protobuf, the same error straight over NATS`, async () => {
      // The route's body is the request's `user`: a Protobuf body is a User, as a JSON one is.
      const body = Buffer.from(toBinary(UserSchema, create(UserSchema, user)));
      const json = await app.inject({ method: "POST", url: "/users", payload: user });
      const proto = await app.inject({ method: "POST", url: "/users", headers: { "content-type": "application/x-protobuf" }, payload: body });
      assert.equal(json.statusCode, 400, json.body);
      assert.equal(proto.statusCode, 400, proto.body);
      assert.equal(json.headers["content-type"], proto.headers["content-type"]);
      const { requestId: _json, ...fromJson } = json.json();
      const { requestId: _proto, ...fromProto } = proto.json();
      assert.deepEqual(fromProto, fromJson);

      const reply = await nc.request("users.v1.UserService.CreateUser", toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user })));
      assert.deepEqual(
        [reply.headers?.get(Headers.errorReason), reply.headers?.get(Headers.errorField), reply.headers?.get(Headers.serviceError)],
        [fromJson.code, fromJson.field, fromJson.detail],
      );
    });
  }
});
