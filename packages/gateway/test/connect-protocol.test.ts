import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { fromBinary, toBinary, create } from "@bufbuild/protobuf";
import { PingRequestSchema, PingResponseSchema, UserService } from "@switchyard/contracts";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { decodeEnvelopes, EnvelopeFlag, encodeEnvelope } from "../src/rpc/envelope.js";
import { PROBLEM, startStack, type Stack } from "./harness.js";

const quiet = { info: () => undefined, error: () => undefined };
const PING = `/${UserService.typeName}/Ping`;
const CONNECT_JSON = { "content-type": "application/json", "connect-protocol-version": "1" };

/**
 * The protocols' rules the published clients do not reach on their own, by section of the Connect
 * spec (connectrpc.com/docs/protocol) and of gRPC-Web (grpc/grpc doc/PROTOCOL-WEB.md).
 */
describe("Connect and gRPC-Web on the RPC paths, by the specs' sections", () => {
  let stack: Stack;
  let users: RunningService;

  before(async () => {
    stack = await startStack();
    users = await startUsersService(stack.nc, quiet);
  });
  after(async () => {
    await users.stop();
    await stack.close();
  });

  it("serves every RPC of the served contracts at /<package>.<Service>/<Method>, REST routes unchanged", () => {
    const table = stack.app.routeTable;
    const rpcs = table.rpcs.map((r) => r.template.source);
    assert.ok(rpcs.includes(PING) && rpcs.includes("/inventory.v1.InventoryService/CreateItem"), rpcs.join(", "));
    assert.equal(table.match("POST", "/users").kind, "found");
  });

  it("Unary-Request: a gzip body (Content-Encoding) is inflated", async () => {
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { ...CONNECT_JSON, "content-encoding": "gzip" }, payload: gzipSync("{}") });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().message, "pong");
  });

  it("Unary-Response: gzip when the client accepts it and the message is a kilobyte or more", async () => {
    for (let i = 0; i < 12; i++) {
      const created = await stack.app.inject({ method: "POST", url: "/users", payload: { firstName: `Gzip${i}`, lastName: "Long".repeat(20) } });
      assert.equal(created.statusCode, 200, created.body);
    }
    const list = (acceptEncoding: string) =>
      stack.app.inject({ method: "POST", url: `/${UserService.typeName}/ListUsers`, headers: { ...CONNECT_JSON, "accept-encoding": acceptEncoding }, payload: { pageSize: 100 } });
    const zipped = await list("gzip, br");
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.ok(zipped.rawPayload.length < (await list("identity")).rawPayload.length, "smaller");
    const small = await stack.app.inject({ method: "POST", url: PING, headers: { ...CONNECT_JSON, "accept-encoding": "gzip" }, payload: {} });
    assert.equal(small.headers["content-encoding"], undefined, "a Ping reply is under a kilobyte");
  });

  it("Unary-Request: a Connect-Protocol-Version other than 1 is refused, naming the header", async () => {
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { ...CONNECT_JSON, "connect-protocol-version": "2" }, payload: {} });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, "connect-protocol-version");
  });

  it("Unary-Request: a content type no protocol has is 415, naming Content-Type", async () => {
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { "content-type": "text/plain" }, payload: "hi" });
    assert.equal(res.statusCode, 415);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().field, "content-type");
  });

  it("Unary-Get-Request: only for RPCs marked NO_SIDE_EFFECTS; malformed queries name the parameter", async () => {
    const get = await stack.app.inject({ method: "GET", url: `${PING}?connect=v1&encoding=json&message=${encodeURIComponent("{}")}` });
    assert.equal(get.statusCode, 200, get.body);
    const write = await stack.app.inject({ method: "GET", url: `/${UserService.typeName}/CreateUser?connect=v1&encoding=json&message=%7B%7D` });
    assert.equal(write.statusCode, 405);
    assert.equal(write.headers["allow"], "POST");
    const noEncoding = await stack.app.inject({ method: "GET", url: `${PING}?connect=v1&message=%7B%7D` });
    assert.equal(noEncoding.statusCode, 400);
    assert.deepEqual(noEncoding.json(), { code: "invalid_argument", message: noEncoding.json().message });
    assert.match(noEncoding.json().message, /encoding/);
  });

  it("Error-End-Stream: a unary RPC asked in the streaming content type is 415, a streaming one in the unary type too", async () => {
    const unary = await stack.app.inject({ method: "POST", url: PING, headers: { "content-type": "application/connect+json" }, payload: encodeEnvelope(0, Buffer.from("{}")) });
    assert.equal(unary.statusCode, 415);
    const stream = await stack.app.inject({ method: "POST", url: `/${UserService.typeName}/StreamUsers`, headers: CONNECT_JSON, payload: {} });
    assert.equal(stream.statusCode, 415);
  });

  it("gRPC-Web text mode: a base64 request gets a base64 message frame and trailers with grpc-status 0", async () => {
    const body = Buffer.from(encodeEnvelope(0, toBinary(PingRequestSchema, create(PingRequestSchema)))).toString("base64");
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { "content-type": "application/grpc-web-text" }, payload: body });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/grpc-web-text+proto");
    const frames = decodeEnvelopes(Buffer.from(res.body, "base64"), 1 << 20);
    assert.equal(frames.length, 2);
    assert.equal(fromBinary(PingResponseSchema, frames[0]!.data).message, "pong");
    assert.equal(frames[1]!.flags, EnvelopeFlag.grpcWebTrailers);
    assert.match(Buffer.from(frames[1]!.data).toString(), /^grpc-status:0\r\n/);
  });

  it("gRPC-Web JSON: a message that is not UTF-8 is refused as REST bodies are, not read with U+FFFD", async () => {
    const message = Buffer.concat([Buffer.from('{"message":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { "content-type": "application/grpc-web+json" }, payload: Buffer.from(encodeEnvelope(0, message)) });
    assert.equal(res.statusCode, 200);
    const frames = decodeEnvelopes(res.rawPayload, 1 << 20);
    assert.equal(frames.length, 1);
    assert.equal(Buffer.from(frames[0]!.data).toString(), "grpc-status:3\r\ngrpc-message:the body is not valid UTF-8\r\n");
  });

  it("gRPC-Web: a body that is not one whole frame is an error in the trailers, not a hang", async () => {
    const res = await stack.app.inject({ method: "POST", url: PING, headers: { "content-type": "application/grpc-web+proto" }, payload: Buffer.from([0, 0, 0, 0, 9, 1]) });
    assert.equal(res.statusCode, 200);
    const frames = decodeEnvelopes(res.rawPayload, 1 << 20);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.flags, EnvelopeFlag.grpcWebTrailers);
    assert.match(Buffer.from(frames[0]!.data).toString(), /^grpc-status:3\r\ngrpc-message:/);
  });
});
