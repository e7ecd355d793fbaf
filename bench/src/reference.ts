/**
 * The yardstick: the least a hand-written node:http + nats.js + protobuf-es proxy does for the
 * benchmarked routes (JSON transcoded with protobuf-es; Protobuf bytes forwarded as they are). No framework, no validation beyond what fromJson does, no logging. The gateway
 * is compared against this, so it stays honest: same NATS options, same codec, same subjects.
 * Besides the users routes, the curves' generated ones: `GET /r<i>/{id}` for any i (a pattern, so
 * its cost does not grow with the routes the gateway serves) and `POST /echo`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { create, fromBinary, fromJson, toBinary, toJson, type DescMessage, type DescMethod, type JsonValue } from "@bufbuild/protobuf";
import { connect, RequestError, TimeoutError } from "@nats-io/transport-node";
import {
  CreateUserRequestSchema,
  CreateUserResponseSchema,
  PingRequestSchema,
  PingResponseSchema,
  UserSchema,
} from "@switchyard/contracts";
import { batchSchema, ECHO_SERVICE } from "./echo-contract.js";
import { retainLiveObjects } from "./extra-heap.js";
import { MANY_ROUTES_SERVICE, manyRoutesService } from "./many-routes.js";

const PROTOBUF = "application/x-protobuf";
const port = Number(process.env["PORT"] ?? 3100);
const host = process.env["HOST"] ?? "127.0.0.1";
const [{ input: RouteRequestSchema, output: RouteResponseSchema }] = manyRoutesService(1).methods as [DescMethod];
const BatchSchema = batchSchema();
const ROUTE = /^\/r(\d+)\/([^/?]+)$/;
// BENCH_REFERENCE_EXTRA_HEAP_MB: a live heap as large as the gateway's. Exported, so it stays referenced.
export const extraHeap = retainLiveObjects(extraHeapMb(process.env["BENCH_REFERENCE_EXTRA_HEAP_MB"]));
const nc = await connect({ servers: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222", noAsyncTraces: true });

const server = createServer((req, res) => {
  route(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
});

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "GET" && req.url === "/") {
    return call(res, "users.v1.UserService.Ping", toBinary(PingRequestSchema, create(PingRequestSchema)), PingResponseSchema);
  }
  if (req.method === "POST" && req.url === "/users" && req.headers["content-type"] === PROTOBUF) {
    // Passthrough: the User bytes framed as CreateUserRequest.user (field 1), the reply's bytes back.
    const user = await readBytes(req);
    const framed = Buffer.concat([Buffer.from([0x0a]), varint(user.length), user]);
    return forward(res, "users.v1.UserService.CreateUser", framed);
  }
  if (req.method === "POST" && req.url === "/users") {
    let request;
    try {
      const user = fromJson(UserSchema, JSON.parse(await readBody(req)) as JsonValue);
      request = create(CreateUserRequestSchema, { user });
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    return call(res, "users.v1.UserService.CreateUser", toBinary(CreateUserRequestSchema, request), CreateUserResponseSchema);
  }
  const route = req.method === "GET" ? ROUTE.exec(req.url ?? "") : null;
  if (route !== null) {
    const request = toBinary(RouteRequestSchema, create(RouteRequestSchema, { id: decodeURIComponent(route[2]!) }));
    return call(res, `${MANY_ROUTES_SERVICE}.Rpc${route[1]}`, request, RouteResponseSchema);
  }
  if (req.method === "POST" && req.url === "/echo" && req.headers["content-type"] === PROTOBUF) {
    return forward(res, `${ECHO_SERVICE}.Echo`, await readBytes(req));
  }
  if (req.method === "POST" && req.url === "/echo") {
    let batch;
    try {
      batch = fromJson(BatchSchema, JSON.parse(await readBody(req)) as JsonValue);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    return call(res, `${ECHO_SERVICE}.Echo`, toBinary(BatchSchema, batch), BatchSchema);
  }
  send(res, 404, { error: "not found" });
}

/** One NATS request; an error reply (empty body, micro headers) becomes its HTTP status. */
async function request(res: ServerResponse, subject: string, bytes: Uint8Array): Promise<Uint8Array | undefined> {
  let msg;
  try {
    msg = await nc.request(subject, bytes, { timeout: 5000 });
  } catch (err) {
    if (err instanceof TimeoutError) return send(res, 504, { error: "timeout" });
    if (err instanceof RequestError && err.isNoResponders()) return send(res, 503, { error: "no responders" });
    throw err;
  }
  const code = msg.headers?.get("Nats-Service-Error-Code");
  if (code) return send(res, Number(code), { error: msg.headers?.get("Nats-Service-Error") ?? "" });
  return msg.data;
}

/** The reply transcoded to JSON. */
async function call(res: ServerResponse, subject: string, bytes: Uint8Array, schema: DescMessage): Promise<void> {
  const data = await request(res, subject, bytes);
  if (data !== undefined) send(res, 200, toJson(schema, fromBinary(schema, data)));
}

/** The reply's bytes as they are. */
async function forward(res: ServerResponse, subject: string, bytes: Uint8Array): Promise<void> {
  const data = await request(res, subject, bytes);
  if (data === undefined) return;
  res.writeHead(200, { "content-type": PROTOBUF, "content-length": data.length });
  res.end(data);
}

function readBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString("utf8");
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function extraHeapMb(raw: string | undefined): number {
  const mb = Number(raw ?? 0);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`BENCH_REFERENCE_EXTRA_HEAP_MB must be a number of megabytes, got "${raw}"`);
  return mb;
}

function send(res: ServerResponse, status: number, body: unknown): undefined {
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
  return undefined;
}

server.listen(port, host);

const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void nc.drain().finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
