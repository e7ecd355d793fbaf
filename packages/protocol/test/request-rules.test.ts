import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, GetUserRequestSchema, ListUsersRequestSchema, UpdateUserRequestSchema } from "@switchyard/contracts";
import { ruleViolation } from "@switchyard/protocol";

// The one mapping from a protovalidate violation to the reply the gateway and the SDK both send.
describe("ruleViolation", () => {
  const check = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) => ruleViolation(schema, create(schema, init));

  it("is undefined for a request within its rules", () => {
    assert.equal(check(CreateUserRequestSchema, { user: { firstName: "Ada", lastName: "Lovelace" } }), undefined);
  });

  it("names the field a field rule is on, and gives the rule's message", () => {
    assert.deepEqual(check(ListUsersRequestSchema, { pageSize: 101 }), {
      code: "INVALID_ARGUMENT",
      field: "page_size",
      message: "page_size must be between 0 and 100",
    });
  });

  it("names the field of a message field that a CEL rule's id names", () => {
    assert.deepEqual(check(CreateUserRequestSchema, { user: { firstName: " ", lastName: "Lovelace" } }), {
      code: "INVALID_ARGUMENT",
      field: "user.first_name",
      message: "user.first_name is required",
    });
  });

  it("names the field a CEL rule on the request message is about", () => {
    assert.equal(check(CreateUserRequestSchema, {})?.field, "user");
    assert.equal(check(UpdateUserRequestSchema, { user: { id: "u1" } })?.field, "update_mask");
    assert.equal(check(UpdateUserRequestSchema, { user: { id: "a b" } })?.field, "user.id");
  });

  it("reports the first rule broken only", () => {
    assert.equal(check(GetUserRequestSchema, { id: "" })?.message, "id is required");
  });
});
