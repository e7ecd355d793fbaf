import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, UpdateUserRequestSchema, UserSchema, type User } from "@switchyard/contracts";
import { ruleViolation } from "@switchyard/protocol";
import { ServiceError } from "@switchyard/service";
import { emailKey } from "../src/keys.js";
import { maskedPaths } from "../src/validate.js";

// The text rules of services/README.md ("Text"): blank is Unicode White_Space only, lengths count
// code points, emails are printable ASCII and compared with A-Z as a-z, quoted control characters
// become spaces. The contract states the first three; the SDK checks them as the gateway does.

const WHITE_SPACE = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000];

function validated(fields: Partial<Pick<User, "firstName" | "lastName" | "email">>): User {
  const request = create(CreateUserRequestSchema, { user: create(UserSchema, { firstName: "Ada", lastName: "Lovelace", ...fields }) });
  const violation = ruleViolation(CreateUserRequestSchema, request);
  if (violation !== undefined) throw new ServiceError(violation.code, violation.message, violation.field);
  return request.user!;
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (ServiceError.is(err)) return err.message;
    throw err;
  }
  return assert.fail("accepted");
}

describe("users-ts text rules", () => {
  it("a name of any White_Space code point is blank", () => {
    for (const code of WHITE_SPACE) {
      assert.equal(refusal(() => validated({ firstName: String.fromCodePoint(code).repeat(2) })), "user.first_name is required", code.toString(16));
    }
  });

  it("characters outside White_Space are not blank, JavaScript's \\s notwithstanding", () => {
    // U+FEFF and U+200B are format characters, U+180E left White_Space in Unicode 6.3.
    for (const name of ["\ufeff", "\u200b", "\u180e", "\u0000", "\u0301", "😀", "İ", "ß"]) {
      assert.equal(validated({ firstName: name }).firstName, name);
    }
  });

  it("a name's length counts code points", () => {
    validated({ firstName: "😀".repeat(100), lastName: "e\u0301".repeat(50) });
    assert.equal(refusal(() => validated({ firstName: "😀".repeat(101) })), "user.first_name must be at most 100 characters");
    assert.equal(refusal(() => validated({ lastName: `${"e\u0301".repeat(50)}e` })), "user.last_name must be at most 100 characters");
  });

  it("an email is printable ASCII", () => {
    for (const email of ["a!#$%&'*+/=?^_`{|}~-@example.com", "ada@xn--bcher-kva.de"]) validated({ email });
    for (const email of ["İnfo@example.com", "straße@example.com", "ada@bücher.de", "\u212aelvin@example.com", "ada\u00a0@example.com", "ada\t@example.com", "ada\u007f@example.com", "😀@example.com"]) {
      assert.equal(refusal(() => validated({ email })), "user.email must be a valid email address", email);
    }
  });

  it("the email key maps A-Z to a-z and nothing else", () => {
    assert.equal(emailKey("MiXeD@Example.COM"), emailKey("mixed@example.com"));
    assert.equal(emailKey("\u212a@x.io"), `email.${Buffer.from("\u212a@x.io").toString("base64url")}`);
  });

  it("a quoted mask path has each control character replaced by a space", () => {
    const request = create(UpdateUserRequestSchema, { user: { id: "u1", firstName: "Ada" }, updateMask: { paths: ["a\u0000\r\n\u0085b"] } });
    assert.equal(refusal(() => maskedPaths(request.user!, request.updateMask!.paths)), 'update_mask path "a    b" cannot be updated');
  });
});
