import type { IncomingHttpHeaders } from "node:http";
import { parseConnectTimeout } from "./connect-protocol.js";
import { parseGrpcTimeout } from "./grpc-web-protocol.js";
import type { RpcCall } from "./rpc-call.js";

/** The client's deadline for the call, in ms: Connect-Timeout-Ms, or gRPC-Web's grpc-timeout. */
export function rpcDeadlineMs(call: RpcCall, headers: IncomingHttpHeaders): number | undefined {
  const header = call.protocol === "grpc-web" ? headers["grpc-timeout"] : headers["connect-timeout-ms"];
  const value = Array.isArray(header) ? header[0] : header;
  return call.protocol === "grpc-web" ? parseGrpcTimeout(value) : parseConnectTimeout(value);
}
