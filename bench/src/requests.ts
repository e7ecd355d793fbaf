/** The HTTP requests the bench and the load test send. */
import { randomUUID } from "node:crypto";
import { create, toBinary, toJson } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, UserSchema } from "@switchyard/contracts";
import type autocannon from "autocannon";
import { batchSchema } from "./echo-contract.js";

const PROTOBUF = "application/x-protobuf";
/** The RPC path of users.v1.UserService/CreateUser, which the gateway serves in Connect and gRPC-Web. */
export const CREATE_USER_RPC_PATH = "/users.v1.UserService/CreateUser";

export interface Scenario {
  readonly name: string;
  readonly requests: autocannon.Request[];
}

export const ping: Scenario = { name: "GET / (Ping)", requests: [{ method: "GET", path: "/" }] };

// Emails must be unique in the shared store: a per-process run id plus a counter never repeats,
// even against a long-running stack that kept earlier runs' users.
const runId = randomUUID().slice(0, 8);
let serial = 0;
const email = (): string => `jane.${runId}.${serial++}@example.com`;

export const createUser: Scenario = {
  name: "POST /users",
  requests: [
    {
      method: "POST",
      path: "/users",
      headers: { "content-type": "application/json" },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ firstName: "Jane", lastName: "Doe", email: email() }),
      }),
    },
  ],
};

/** The same route with a Protobuf body and reply: passthrough, no decode in between. */
export const createUserProtobuf: Scenario = {
  name: "POST /users (Protobuf)",
  requests: [
    {
      method: "POST",
      path: "/users",
      headers: { "content-type": PROTOBUF, accept: PROTOBUF },
      setupRequest: (request) => ({
        ...request,
        body: Buffer.from(
          toBinary(UserSchema, create(UserSchema, { firstName: "Jane", lastName: "Doe", email: email() })),
        ),
      }),
    },
  ],
};

/**
 * The whole CreateUserRequest in binary: the RPC path's body is the request message, where the REST
 * route binds `body: "user"` and takes the User alone.
 */
export function createUserRequestBinary(): Uint8Array {
  return toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName: "Jane", lastName: "Doe", email: email() } }));
}

/** One gRPC-Web data frame: flag byte 0x00, the message's length as 4 bytes big-endian, the message. */
export function grpcWebFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame.writeUInt8(0x00, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** CreateUser in the Connect protocol, unary, binary: the body is the bare message. */
export const createUserConnectProto = createUserRpc("POST CreateUser Connect (Protobuf)", { "content-type": "application/proto", "connect-protocol-version": "1" }, (m) => Buffer.from(m));

/**
 * CreateUser in gRPC-Web, binary: one data frame in; a data frame and a trailers frame out, with
 * HTTP 200 and the status in the trailers (so a 2xx here does not say the call succeeded).
 */
export const createUserGrpcWeb = createUserRpc("POST CreateUser gRPC-Web", { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" }, grpcWebFrame);

/** CreateUser at its RPC path, a fresh request each time, with these headers and this framing. */
function createUserRpc(name: string, headers: Record<string, string>, body: (message: Uint8Array) => Buffer): Scenario {
  return {
    name,
    requests: [{ method: "POST", path: CREATE_USER_RPC_PATH, headers, setupRequest: (request) => ({ ...request, body: body(createUserRequestBinary()) }) }],
  };
}

/** `GET /r<n-1>/bench`: the last of `routes` generated routes (many-routes.ts). */
export function lastRoute(routes: number): Scenario {
  return { name: `GET /r${routes - 1}/bench`, requests: [{ method: "GET", path: `/r${routes - 1}/bench` }] };
}

export type Codec = "JSON" | "Protobuf";

/** `POST /echo` with a batch of items whose body, in `codec`, is about `bytes` long (within one item). */
export function echoBatch(bytes: number, codec: Codec): Scenario & { bodyBytes: number } {
  const Batch = batchSchema();
  const encode = (count: number): Buffer => {
    const items = Array.from({ length: count }, (_, i) => ({ sku: `sku-${String(i).padStart(6, "0")}`, name: "Anvil, forged steel, 50 kg", quantity: 7 }));
    const batch = create(Batch, { items });
    return codec === "JSON" ? Buffer.from(JSON.stringify(toJson(Batch, batch))) : Buffer.from(toBinary(Batch, batch));
  };
  // Every item encodes to the same length: two sizes give the rest.
  const [one, two] = [encode(1).length, encode(2).length];
  const body = encode(Math.max(1, Math.round((bytes - (2 * one - two)) / (two - one))));
  const headers = codec === "JSON" ? { "content-type": "application/json" } : { "content-type": PROTOBUF, accept: PROTOBUF };
  return { name: `POST /echo (${codec})`, bodyBytes: body.length, requests: [{ method: "POST", path: "/echo", headers, body }] };
}
