import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { connect, headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import {
  CreateUserRequestSchema,
  DeleteUserRequestSchema,
  GetUserRequestSchema,
  GetUserResponseSchema,
  PingRequestSchema,
  UpdateUserRequestSchema,
  UpdateUserResponseSchema,
  UserService,
} from "@switchyard/contracts";
import { Headers } from "@switchyard/protocol";
import { serve, ServiceError, type RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";

const quiet = { info: () => undefined, error: () => undefined };

describe("serve", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let release: () => void = () => undefined;
  let svc: RunningService;

  before(async () => {
    ns = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: ns.url });
    svc = await serve({
      nc,
      service: UserService,
      name: "sdk-test",
      version: "0.0.1",
      logger: quiet,
      implementation: {
        ping: () => {
          throw new Error("database password is hunter2");
        },
        createUser: (request) => {
          throw new ServiceError("ALREADY_EXISTS", `${request.user?.firstName} is taken`, "user.email");
        },
        deleteUser: () => {
          throw Object.assign(new Error("jetstream is not enabled"), { name: "JetStreamNotEnabled" });
        },
        // Echoes what the context says of the request, and asks for an HTTP status and header.
        updateUser: (_request, context) => {
          context.respondWith({ status: 202, headers: { "x-echo": "yes" } });
          return {
            user: {
              id: context.requestId ?? "(none)",
              firstName: context.traceparent ?? "(none)",
              lastName: context.metadata("tenant") ?? "(none)",
              email: `${context.subject} ${context.headers === undefined ? "no headers" : "headers"}`,
            },
          };
        },
        getUser: async (request) => {
          if (request.id === "slow") await new Promise<void>((resolve) => (release = resolve));
          if (request.id.startsWith("missing")) throw new ServiceError("NOT_FOUND", `user ${request.id} not found`);
          return { user: { id: request.id, firstName: "Slow" } };
        },
      },
    });
  });
  after(async () => {
    await nc.close();
    await ns.stop();
  });

  const getUser = (id: string) => toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id }));
  // Requests within the contract's field rules, which the SDK checks before a handler runs.
  const createUser = (firstName = "Ada") => toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName, lastName: "Lovelace" } }));
  const deleteUser = toBinary(DeleteUserRequestSchema, create(DeleteUserRequestSchema, { id: "u1" }));

  it("gives handlers the request id, trace context and metadata, and lets them set the HTTP status", async () => {
    const update = toBinary(UpdateUserRequestSchema, create(UpdateUserRequestSchema, { user: { id: "u1" }, updateMask: { paths: ["email"] } }));
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const h = natsHeaders();
    h.set(Headers.requestId, "req-9");
    h.set(Headers.traceparent, traceparent);
    h.set(`${Headers.metadataPrefix}Tenant`, "acme");
    const reply = await nc.request("users.v1.UserService.UpdateUser", update, { headers: h, timeout: 2000 });
    const user = fromBinary(UpdateUserResponseSchema, reply.data).user;
    assert.deepEqual([user?.id, user?.firstName, user?.lastName, user?.email], ["req-9", traceparent, "acme", "users.v1.UserService.UpdateUser headers"]);
    assert.equal(reply.headers?.get(Headers.httpStatus), "202");
    assert.equal(reply.headers?.get(`${Headers.httpHeaderPrefix}x-echo`), "yes");

    const bare = fromBinary(UpdateUserResponseSchema, (await nc.request("users.v1.UserService.UpdateUser", update)).data).user;
    assert.deepEqual([bare?.id, bare?.firstName, bare?.lastName, bare?.email], ["(none)", "(none)", "(none)", "users.v1.UserService.UpdateUser no headers"]);
  });

  it("registers each RPC twice: in the contract's queue group, and for its deployment alone", async () => {
    const reply = await nc.request("$SRV.INFO.sdk-test");
    const info = reply.json<{ metadata: Record<string, string>; endpoints: { name: string; subject: string; queue_group: string }[] }>();
    assert.equal(info.metadata["language"], "typescript");
    assert.equal(info.metadata["contract"], "users.v1");
    assert.equal(info.metadata["deployment"], "sdk-test-ts");
    assert.equal(info.metadata["switchyard.nats_server"], nc.info?.server_name, "the nats-server it registered through");
    assert.equal(svc.deployment, "sdk-test-ts");
    const byName = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
    assert.deepEqual(
      info.endpoints.map((e) => [e.name, e.subject, e.queue_group]).sort(byName),
      UserService.methods
        .flatMap((m) => [
          [m.name, `users.v1.UserService.${m.name}`, "users-v1-UserService"],
          [`${m.name}-sdk-test-ts`, `switchyard.deployment.sdk-test-ts.users.v1.UserService.${m.name}`, "sdk-test-ts"],
        ])
        .sort(byName),
    );
  });

  it("answers on its deployment's subject, counts it there, and names its deployment on every reply", async () => {
    const ok = await nc.request("switchyard.deployment.sdk-test-ts.users.v1.UserService.GetUser", getUser("d1"));
    assert.equal(fromBinary(GetUserResponseSchema, ok.data).user?.id, "d1");
    assert.equal(ok.headers?.get(Headers.deployment), "sdk-test-ts");
    const shared = await nc.request("users.v1.UserService.GetUser", getUser("missing-d"));
    assert.equal(shared.headers?.get(Headers.errorReason), "NOT_FOUND");
    assert.equal(shared.headers?.get(Headers.deployment), "sdk-test-ts");

    const stats = (await nc.request("$SRV.STATS.sdk-test")).json<{ endpoints: { name: string; num_requests: number; num_errors: number }[] }>();
    const own = stats.endpoints.find((e) => e.name === "GetUser-sdk-test-ts");
    assert.equal(own?.num_requests, 1);
    assert.equal(own?.num_errors, 0);
  });

  it("takes its deployment from SWITCHYARD_DEPLOYMENT, and refuses a name that is not one", async () => {
    const saved = process.env["SWITCHYARD_DEPLOYMENT"];
    try {
      process.env["SWITCHYARD_DEPLOYMENT"] = "users-canary";
      const named = await serve({ nc, service: UserService, name: "sdk-env", version: "0.0.1", logger: quiet, implementation: {} });
      assert.equal(named.deployment, "users-canary");
      await named.stop();
      process.env["SWITCHYARD_DEPLOYMENT"] = "no spaces";
      await assert.rejects(
        serve({ nc, service: UserService, name: "sdk-env", version: "0.0.1", logger: quiet, implementation: {} }),
        (err: Error) => err.name === "ConfigError" && /SWITCHYARD_DEPLOYMENT: "no spaces" is not a deployment name/.test(err.message),
      );
    } finally {
      if (saved === undefined) delete process.env["SWITCHYARD_DEPLOYMENT"];
      else process.env["SWITCHYARD_DEPLOYMENT"] = saved;
    }
  });

  it("replies with a ServiceError's code, status, message and field", async () => {
    const reply = await nc.request("users.v1.UserService.CreateUser", createUser());
    assert.equal(reply.headers?.get(Headers.serviceErrorCode), "409");
    assert.equal(reply.headers?.get(Headers.errorReason), "ALREADY_EXISTS");
    assert.equal(reply.headers?.get(Headers.errorField), "user.email");
    assert.equal(reply.headers?.get(Headers.serviceError), "Ada is taken");
  });

  it("answers a request that breaks the contract's field rules as the gateway does, before the handler runs", async () => {
    for (const [request, field, message] of [
      [createUser("   "), "user.first_name", "user.first_name is required"],
      [toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema)), "user", "user is required"],
      [getUser("a b"), "id", 'id must be at most 64 characters of A-Z, a-z, 0-9, "-", "_" and "="'],
    ] as const) {
      const subject = field === "id" ? "users.v1.UserService.GetUser" : "users.v1.UserService.CreateUser";
      const reply = await nc.request(subject, request);
      assert.equal(reply.headers?.get(Headers.errorReason), "INVALID_ARGUMENT");
      assert.equal(reply.headers?.get(Headers.serviceErrorCode), "400");
      assert.equal(reply.headers?.get(Headers.errorField), field);
      assert.equal(reply.headers?.get(Headers.serviceError), message);
    }
  });

  it("turns an unexpected throw into INTERNAL without its message", async () => {
    const reply = await nc.request("users.v1.UserService.Ping", toBinary(PingRequestSchema, create(PingRequestSchema)));
    assert.equal(reply.headers?.get(Headers.errorReason), "INTERNAL");
    assert.equal(reply.headers?.get(Headers.serviceErrorCode), "500");
    assert.doesNotMatch(reply.headers?.get(Headers.serviceError) ?? "", /hunter2/);
  });

  it("answers UNAVAILABLE when NATS or JetStream is out of reach, so the client may retry", async () => {
    const reply = await nc.request("users.v1.UserService.DeleteUser", deleteUser);
    assert.equal(reply.headers?.get(Headers.errorReason), "UNAVAILABLE");
    assert.equal(reply.headers?.get(Headers.serviceErrorCode), "503");
  });

  it("rejects bytes that are not the request type and keeps serving", async () => {
    const bad = await nc.request("users.v1.UserService.GetUser", new Uint8Array([0xff, 0xff, 0xff]));
    assert.equal(bad.headers?.get(Headers.errorReason), "INVALID_ARGUMENT");
    assert.equal(bad.headers?.get(Headers.serviceError), "request is not a valid users.v1.GetUserRequest");
    const good = await nc.request("users.v1.UserService.GetUser", getUser("7"));
    assert.equal(fromBinary(GetUserResponseSchema, good.data).user?.id, "7");
  });

  it("keeps client input that cannot be a header value out of the error headers", async () => {
    const reply = await nc.request("users.v1.UserService.CreateUser", createUser("Ada\r\nX-Forged: 1"));
    assert.equal(reply.headers?.get(Headers.errorReason), "ALREADY_EXISTS");
    assert.equal(reply.headers?.get(Headers.serviceError), "Ada  X-Forged: 1 is taken");
    assert.equal(reply.headers?.get("X-Forged"), "");
  });

  it("counts error replies and the whole handling time in $SRV.STATS", async () => {
    await nc.request("users.v1.UserService.CreateUser", createUser());
    const slow = nc.request("users.v1.UserService.GetUser", getUser("slow"), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await slow;
    type Endpoint = { name: string; num_requests: number; num_errors: number; last_error?: string; processing_time: number };
    const stats = (await nc.request("$SRV.STATS.sdk-test")).json<{ endpoints: Endpoint[] }>();
    const create = stats.endpoints.find((e) => e.name === "CreateUser")!;
    assert.equal(create.num_errors, create.num_requests);
    assert.equal(create.last_error, "409:Ada is taken");
    const get = stats.endpoints.find((e) => e.name === "GetUser")!;
    assert.ok(get.processing_time >= 40e6, `GetUser waited 50 ms, processing_time is ${get.processing_time} ns`);
  });

  it("answers requests in flight before stop() resolves", async () => {
    const pending = nc.request("users.v1.UserService.GetUser", getUser("slow"), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    let stopped = false;
    const stopping = svc.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(stopped, false, "stop() must wait for the request in flight");
    release();
    const reply = await pending;
    await stopping;
    assert.equal(fromBinary(GetUserResponseSchema, reply.data).user?.firstName, "Slow");
    await assert.rejects(nc.request("users.v1.UserService.GetUser", getUser("1"), { timeout: 500 }), {
      name: /NoResponders|RequestError|TimeoutError/,
    });
  });
});
