/**
 * CreateUser at its RPC path, `POST /users.v1.UserService/CreateUser`, in the Connect protocol
 * (unary, binary) and in gRPC-Web (binary), each against the REST Protobuf passthrough
 * `POST /users` on the same gateway: the same RPC, the same service, bytes in both. Framing and
 * protocol headers are all the RPC path adds, so it must keep up fully.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { CreateUserResponseSchema } from "@switchyard/contracts";
import type { Harness, Side } from "./harness.js";
import { compare, type ScenarioReport } from "./report.js";
import { CREATE_USER_RPC_PATH, createUserConnectProto, createUserGrpcWeb, createUserProtobuf, createUserRequestBinary, grpcWebFrame, type Scenario } from "./requests.js";

export const CONNECT_PROTO = createUserConnectProto.name;
export const GRPC_WEB = createUserGrpcWeb.name;
export const RPC_PROTOCOLS = [CONNECT_PROTO, GRPC_WEB] as const;

interface Protocol {
  scenario: Scenario;
  side: string;
  /** One call with fetch before the rounds: throws unless it succeeded, whatever the HTTP status says. */
  check: (url: string) => Promise<void>;
}

const PROTOCOLS: readonly Protocol[] = [
  { scenario: createUserConnectProto, side: "Connect", check: checkConnectProto },
  { scenario: createUserGrpcWeb, side: "gRPC-Web", check: checkGrpcWeb },
];

/** The protocols `wanted` asks for, each measured against REST Protobuf on `gateway`, already started. */
export async function rpcProtocols(h: Harness, gateway: Side, wanted: (name: string) => boolean): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const { scenario, side, check } of PROTOCOLS) {
    if (!wanted(scenario.name)) continue;
    await check(gateway.url);
    const pair = await h.measure({
      name: scenario.name,
      scenario,
      baselineScenario: createUserProtobuf,
      baseline: { ...gateway, name: "REST proto" },
      subject: { ...gateway, name: side },
    });
    reports.push(compare(scenario.name, pair.baseline, pair.subject, { minThroughputRatio: 1.0 }));
  }
  return reports;
}

async function checkConnectProto(url: string): Promise<void> {
  const res = await fetch(`${url}${CREATE_USER_RPC_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
    body: createUserRequestBinary(),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get("content-type") ?? "";
  if (res.status !== 200 || type.split(";")[0]!.trim().toLowerCase() !== "application/proto") {
    throw new Error(`${CONNECT_PROTO}: expected 200 application/proto, got ${res.status} ${type}: ${Buffer.from(body).toString("utf8").slice(0, 300)}`);
  }
  const { id } = fromBinary(CreateUserResponseSchema, body);
  if (id === "") throw new Error(`${CONNECT_PROTO}: the reply has no user id`);
}

async function checkGrpcWeb(url: string): Promise<void> {
  const res = await fetch(`${url}${CREATE_USER_RPC_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    body: grpcWebFrame(createUserRequestBinary()),
  });
  const body = Buffer.from(await res.arrayBuffer());
  const fail = (why: string): Error =>
    new Error(
      `${GRPC_WEB}: ${why} (HTTP ${res.status} ${res.headers.get("content-type") ?? ""}, ` +
        `grpc-status header ${res.headers.get("grpc-status") ?? "none"}, grpc-message ${res.headers.get("grpc-message") ?? "none"})`,
    );
  if (res.status !== 200) throw fail("expected HTTP 200");
  const frames = parseFrames(body);
  if (frames === undefined) throw fail(`the body is not whole frames: ${body.length} bytes`);
  const last = frames.at(-1);
  if (last === undefined || last.flag !== 0x80) throw fail(`the last frame is not trailers (frame flags: ${frames.map((f) => f.flag).join(", ")})`);
  const trailers = new Map(
    last.data
      .toString("latin1")
      .split("\r\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
  );
  if (trailers.get("grpc-status") !== "0") throw fail(`trailers ${JSON.stringify(last.data.toString("latin1"))}`);
  const data = frames.filter((f) => f.flag === 0x00);
  if (data.length !== 1 || fromBinary(CreateUserResponseSchema, data[0]!.data).id === "") throw fail(`expected one data frame with a user id, got ${data.length}`);
}

/** A gRPC-Web body as its frames, or undefined if a frame is cut short. */
function parseFrames(body: Buffer): Array<{ flag: number; data: Buffer }> | undefined {
  const frames: Array<{ flag: number; data: Buffer }> = [];
  for (let at = 0; at < body.length; ) {
    if (at + 5 > body.length) return undefined;
    const length = body.readUInt32BE(at + 1);
    if (at + 5 + length > body.length) return undefined;
    frames.push({ flag: body[at]!, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return frames;
}
