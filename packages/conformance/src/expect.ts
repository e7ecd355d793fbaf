import assert from "node:assert/strict";
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { ErrorCode, type ErrorCodeName } from "@switchyard/protocol";
import type { RpcReply, UnaryMethod } from "./rpc.js";

/** Asserts a success reply (no error headers) and decodes it as the RPC's reply message. */
export function expectOk<I extends DescMessage, O extends DescMessage>(
  method: UnaryMethod<I, O>,
  reply: RpcReply,
): MessageShape<O> {
  assert.equal(
    reply.status,
    undefined,
    `${method.name} replied with an error: ${reply.status} ${reply.reason ?? ""} ${reply.field ?? ""} "${reply.description ?? ""}"`,
  );
  try {
    return fromBinary(method.output, reply.data);
  } catch (err) {
    assert.fail(`${method.name} reply is not a valid ${method.output.typeName}: ${(err as Error).message}`);
  }
}

export interface ExpectedError {
  reason: ErrorCodeName;
  /** The field path; undefined asserts that no Switchyard-Error-Field header is sent. */
  field: string | undefined;
  /** The exact description (Nats-Service-Error) services/README.md gives; undefined: any non-empty one. */
  description?: string;
}

/** Asserts an error reply as services/README.md describes it: headers set, body empty. */
export function expectError(reply: RpcReply, expected: ExpectedError): void {
  const got = {
    status: reply.status,
    reason: reply.reason,
    field: reply.field,
  };
  const want = {
    status: String(ErrorCode[expected.reason]),
    reason: expected.reason,
    field: expected.field,
  };
  assert.deepEqual(got, want, `error headers (description: ${JSON.stringify(reply.description)})`);
  assert.equal(reply.data.length, 0, "an error reply has an empty body");
  assert.ok(
    reply.description !== undefined && reply.description.trim() !== "",
    "an error reply has a description (Nats-Service-Error)",
  );
  if (expected.description !== undefined) assert.equal(reply.description, expected.description, "the description (Nats-Service-Error)");
}
