import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { CreateUserRequestSchema, ListUsersRequestSchema, ListUsersResponseSchema, UserService } from "@switchyard/contracts";
import { GatewayError, routesOf } from "@switchyard/gateway";
import { Headers } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { captureRequest, IdempotencyStore, type IdempotencyOptions, type IdempotentRequest, type IdempotentResult, type SendRequest } from "../src/idempotency/index.js";

const MODULE = fileURLToPath(new URL("../src/idempotency/index.ts", import.meta.url));
const REQUEST_TIMEOUT_MS = 1000;
const settings: IdempotencyOptions = { enabled: true, ttlS: 3600, takeoverMarginMs: 500, required: [], requestTimeoutMs: REQUEST_TIMEOUT_MS };
const createUser = routesOf([UserService]).find((r) => r.verb === "POST" && r.template.source === "/users")!;
const quiet = { info: () => undefined, error: () => undefined };

/**
 * Gateway A, as a process of its own: claims the key, sends CreateUser to the users service,
 * prints what it reached, then hangs where the test kills it (-9): after the service replied and
 * before the answer is stored or sent ("replied"), or before the request is sent at all ("claimed").
 */
const GATEWAY_A = `
import { connect, headers } from "@nats-io/transport-node";
import { UserService } from "@switchyard/contracts";
import { routesOf } from "@switchyard/gateway";
const { IdempotencyStore, captureRequest } = await import(process.env.MODULE);
const nc = await connect({ servers: process.env.NATS_URL });
const store = new IdempotencyStore(nc, JSON.parse(process.env.SETTINGS), { info: () => {}, warn: () => {} });
store.start();
while (!store.ready) await new Promise((r) => setTimeout(r, 10));
const route = routesOf([UserService]).find((r) => r.verb === "POST" && r.template.source === "/users");
const payload = Buffer.from(process.env.PAYLOAD, "base64");
const request = { key: process.env.KEY, scope: "", route, payload, accept: undefined, requestId: "req-gateway-a" };
await store.run(request, async (capture) => {
  if (process.env.DIE === "claimed") {
    process.stdout.write("claimed\\n");
    return new Promise(() => {});
  }
  const h = headers();
  h.set("${Headers.idempotencyKey}", capture.serviceKey);
  await captureRequest(nc, route.subject, payload, h, ${REQUEST_TIMEOUT_MS}, capture.replyTo);
  process.stdout.write("replied\\n");
  return new Promise(() => {});
});
`;

function startGatewayA(url: string, key: string, payload: Uint8Array, die: "replied" | "claimed"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", GATEWAY_A], {
    env: { ...process.env, MODULE, NATS_URL: url, KEY: key, PAYLOAD: Buffer.from(payload).toString("base64"), SETTINGS: JSON.stringify(settings), DIE: die },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves once the child printed `line`; rejects if it exits first. */
function printed(child: ChildProcess, line: string): Promise<void> {
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.split("\n").includes(line)) resolve();
    });
    child.once("exit", (code, signal) => reject(new Error(`gateway A exited (${code ?? signal}) before "${line}": ${err}`)));
  });
}

async function killNine(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function sender(nc: NatsConnection, payload: Uint8Array): SendRequest {
  return async (capture) => {
    const h = headers();
    if (capture !== undefined) h.set(Headers.idempotencyKey, capture.serviceKey);
    try {
      return capture === undefined
        ? await nc.request(createUser.subject, payload, { headers: h, timeout: REQUEST_TIMEOUT_MS })
        : await captureRequest(nc, createUser.subject, payload, h, REQUEST_TIMEOUT_MS, capture.replyTo);
    } catch (err) {
      throw new GatewayError(err === "timeout" ? "SERVICE_TIMEOUT" : err === "no-responders" ? "NO_SERVICE" : "NATS_UNAVAILABLE", String(err));
    }
  };
}

async function usersNamed(nc: NatsConnection, firstName: string): Promise<string[]> {
  const reply = await nc.request(`${UserService.typeName}.ListUsers`, toBinary(ListUsersRequestSchema, create(ListUsersRequestSchema, { pageSize: 100 })), {
    timeout: 2000,
  });
  return fromBinary(ListUsersResponseSchema, reply.data)
    .users.filter((u) => u.firstName === firstName)
    .map((u) => u.id);
}

describe("a gateway killed (-9) in the middle of a keyed request", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let service: RunningService;
  let gatewayB: IdempotencyStore;

  before(async () => {
    ns = await startNatsServer();
    nc = await connect({ servers: ns.url, noAsyncTraces: true });
    service = await startUsersService(nc, quiet);
    gatewayB = new IdempotencyStore(nc, settings, { info: () => undefined, warn: () => undefined });
    gatewayB.start();
    while (!gatewayB.ready) await sleep(10);
  });
  after(async () => {
    gatewayB.stop();
    await service.stop();
    await nc.close();
    await ns.stop();
  });

  const retry = (key: string, payload: Uint8Array): Promise<IdempotentResult> => {
    const request: IdempotentRequest = { key, scope: "", route: createUser, payload, accept: undefined, requestId: "req-gateway-b" };
    return gatewayB.run(request, sender(nc, payload));
  };

  it("after the service replied: the retry through another gateway gets the same user, and one user exists", async () => {
    const key = `crash-replied-${Date.now()}`;
    const payload = toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName: "AfterReply", lastName: "Killed" } }));
    const a = startGatewayA(ns.url, key, payload, "replied");
    await printed(a, "replied");
    await killNine(a);

    const recovered = gatewayB.counts.recovered;
    const answer = await retry(key, payload);
    assert.equal(answer.replayed, true);
    // Gateway A never stored the answer: it was rebuilt from the service's captured reply.
    assert.equal(gatewayB.counts.recovered, recovered + 1);
    assert.equal(answer.response.status, 200);
    const id = (JSON.parse(Buffer.from(answer.response.body).toString()) as { id: string }).id;
    assert.deepEqual(await usersNamed(nc, "AfterReply"), [id]);
    // And again: the same user, from the stored record now.
    const again = await retry(key, payload);
    assert.equal(again.replayed, true);
    assert.equal((JSON.parse(Buffer.from(again.response.body).toString()) as { id: string }).id, id);
    assert.deepEqual(await usersNamed(nc, "AfterReply"), [id]);
  });

  it("before the request left: retries get 409 until the claim is stale, then exactly one runs it", async () => {
    const key = `crash-claimed-${Date.now()}`;
    const payload = toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName: "BeforeSend", lastName: "Killed" } }));
    const a = startGatewayA(ns.url, key, payload, "claimed");
    await printed(a, "claimed");
    await killNine(a);

    await assert.rejects(retry(key, payload), (err: unknown) => GatewayError.is(err) && err.code === "IDEMPOTENCY_KEY_IN_USE");
    await sleep(REQUEST_TIMEOUT_MS + settings.takeoverMarginMs);
    const answer = await retry(key, payload);
    assert.equal(answer.replayed, false);
    assert.equal(answer.response.status, 200);
    const id = (JSON.parse(Buffer.from(answer.response.body).toString()) as { id: string }).id;
    assert.deepEqual(await usersNamed(nc, "BeforeSend"), [id]);
    assert.equal((await retry(key, payload)).replayed, true);
    assert.deepEqual(await usersNamed(nc, "BeforeSend"), [id]);
  });
});
