import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allErrorCodes, GatewayError } from "../src/errors.js";
import { connectCodeOf, connectHttpStatus, grpcStatusOf, rpcMessageOf, type ConnectCode } from "../src/rpc/rpc-codes.js";

const connectCodes: readonly ConnectCode[] = [
  "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists",
  "permission_denied", "resource_exhausted", "failed_precondition", "aborted", "out_of_range",
  "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated",
];

describe("RPC status codes", () => {
  it("maps every gateway and service code to a Connect code", () => {
    for (const code of allErrorCodes) {
      assert.ok(connectCodes.includes(connectCodeOf(code)), `${code} has no Connect code`);
    }
  });

  it("maps each service code to its Connect twin, CANCELLED to canceled", () => {
    assert.equal(connectCodeOf("CANCELLED"), "canceled");
    for (const code of allErrorCodes.filter((c) => c !== "CANCELLED")) {
      const twin = code.toLowerCase() as ConnectCode;
      if (connectCodes.includes(twin)) assert.equal(connectCodeOf(code), twin);
    }
  });

  it("maps gateway codes to the closest RPC meaning", () => {
    assert.equal(connectCodeOf("MALFORMED_JSON"), "invalid_argument");
    assert.equal(connectCodeOf("INVALID_TOKEN"), "unauthenticated");
    assert.equal(connectCodeOf("ADMIN_FORBIDDEN"), "permission_denied");
    assert.equal(connectCodeOf("ROUTE_NOT_FOUND"), "unimplemented");
    assert.equal(connectCodeOf("REVISION_NOT_FOUND"), "not_found");
    assert.equal(connectCodeOf("IDEMPOTENCY_KEY_IN_USE"), "aborted");
    assert.equal(connectCodeOf("SERVICE_TIMEOUT"), "deadline_exceeded");
    assert.equal(connectCodeOf("RATE_LIMITED"), "resource_exhausted");
    assert.equal(connectCodeOf("IDEMPOTENCY_KEY_MISMATCH"), "failed_precondition");
    assert.equal(connectCodeOf("BAD_SERVICE_REPLY"), "internal");
    assert.equal(connectCodeOf("NATS_UNAVAILABLE"), "unavailable");
  });

  it("gives each Connect code a distinct gRPC status from 1 to 16", () => {
    assert.deepEqual(connectCodes.map(grpcStatusOf), Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it("uses the HTTP statuses of the Connect spec", () => {
    assert.equal(connectHttpStatus("canceled"), 499);
    assert.equal(connectHttpStatus("invalid_argument"), 400);
    assert.equal(connectHttpStatus("failed_precondition"), 400);
    assert.equal(connectHttpStatus("deadline_exceeded"), 504);
    assert.equal(connectHttpStatus("aborted"), 409);
    assert.equal(connectHttpStatus("resource_exhausted"), 429);
    assert.equal(connectHttpStatus("unimplemented"), 501);
    assert.equal(connectHttpStatus("unavailable"), 503);
    assert.equal(connectHttpStatus("unauthenticated"), 401);
    assert.equal(grpcStatusOf("unavailable"), 14);
    assert.equal(grpcStatusOf("unauthenticated"), 16);
  });

  it("names the field at fault in the message, once", () => {
    assert.equal(rpcMessageOf(new GatewayError("INVALID_FIELD", "must be an email", "email")), "email: must be an email");
    assert.equal(rpcMessageOf(new GatewayError("INVALID_FIELD", "email must be an email", "email")), "email must be an email");
    assert.equal(rpcMessageOf(new GatewayError("NOT_READY", "starting up")), "starting up");
  });
});
