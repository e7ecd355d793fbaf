import { randomUUID } from "node:crypto";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { User } from "@switchyard/contracts";

// The Unicode table of services/README.md ("Text"): every implementation, and the gateway from the
// contract's rules, answers each request alike. Names are sent as they are; the suite reads them
// back byte for byte (nothing is trimmed or normalized).

/** The fields a client sets on a user. */
export type TextFields = Pick<User, "firstName" | "lastName" | "email">;

/** A CreateUser request and the answer every implementation gives it. */
export interface TextCase {
  readonly name: string;
  /** A fresh user each call (its email, when it has a valid one, is new). */
  readonly user: () => TextFields;
  /** The refusal (INVALID_ARGUMENT); undefined when the user is stored exactly as sent. */
  readonly refusal?: { readonly field: string; readonly description: string };
}

/** A user only Protobuf can carry: bytes that are no valid UTF-8 in a string field. */
export interface UndecodableCase {
  readonly name: string;
  /** The users.v1.User message, as an HTTP client would send it in Protobuf. */
  readonly user: Uint8Array;
}

/** The CreateUserRequest carrying the user (field 1). */
export function createUserRequestBytes(user: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(user).finish();
}

/** Unicode White_Space: the code points a blank name may hold. */
const WHITE_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const FAMILY = "\u{1f469}\u200d\u{1f469}\u200d\u{1f467}\u200d\u{1f466}"; // 7 code points, one grapheme
const required = (field: "first_name" | "last_name") => ({ field: `user.${field}`, description: `user.${field} is required` });
const tooLong = { field: "user.first_name", description: "user.first_name must be at most 100 characters" };
const badEmail = { field: "user.email", description: "user.email must be a valid email address" };

const first = (firstName: string) => (): TextFields => ({ firstName, lastName: "Lovelace", email: "" });
const last = (lastName: string) => (): TextFields => ({ firstName: "Ada", lastName, email: "" });
const email = (make: (unique: string) => string) => (): TextFields => ({ firstName: "Ada", lastName: "Lovelace", email: make(randomUUID().slice(0, 8)) });

export const textCases: readonly TextCase[] = [
  // Blank: nothing but White_Space, which is not what every regexp engine calls \s.
  { name: "a first name of one no-break space (U+00A0)", user: first("\u00a0"), refusal: required("first_name") },
  { name: "a first name of one ideographic space (U+3000)", user: first("\u3000"), refusal: required("first_name") },
  { name: "a first name of one next line (U+0085)", user: first("\u0085"), refusal: required("first_name") },
  { name: "a first name of one vertical tab (U+000B)", user: first("\v"), refusal: required("first_name") },
  { name: "a first name of one line separator (U+2028)", user: first("\u2028"), refusal: required("first_name") },
  { name: "a first name of every White_Space code point", user: first(WHITE_SPACE), refusal: required("first_name") },
  { name: "a last name of ideographic spaces", user: last("\u3000\u3000"), refusal: required("last_name") },
  { name: "a first name of one zero width no-break space (U+FEFF, not White_Space)", user: first("\ufeff") },
  { name: "a first name of one zero width space (U+200B, not White_Space)", user: first("\u200b") },
  { name: "a first name of one Mongolian vowel separator (U+180E, not White_Space since Unicode 6.3)", user: first("\u180e") },
  { name: "a first name with a tab and a NUL inside (control characters are kept)", user: first("Ada\t\u0000Lovelace") },
  // Letters whose case mappings differ between languages are names like any other.
  { name: "a first name İ (U+0130)", user: first("\u0130") },
  { name: "a first name ß (U+00DF)", user: first("\u00df") },
  // Lengths count code points, not bytes or UTF-16 units, and nothing is normalized.
  { name: "a first name of 50 e + combining acute (100 code points)", user: first("e\u0301".repeat(50)) },
  { name: "a first name of 50 e + combining acute and one e (101 code points)", user: first(`${"e\u0301".repeat(50)}e`), refusal: tooLong },
  { name: "a first name é precomposed, a last name é decomposed: stored as sent", user: () => ({ firstName: "\u00e9", lastName: "e\u0301", email: "" }) },
  { name: "a first name of 100 emoji (200 UTF-16 units, 400 bytes)", user: first("\u{1f600}".repeat(100)) },
  { name: "a first name of 101 emoji", user: first("\u{1f600}".repeat(101)), refusal: tooLong },
  { name: "a first name of 14 family emoji (98 code points)", user: first(FAMILY.repeat(14)) },
  { name: "a first name of 15 family emoji (105 code points, 15 graphemes)", user: first(FAMILY.repeat(15)), refusal: tooLong },
  { name: "a first name of noncharacters and private use (U+FFFF, U+10FFFD)", user: first("\uffff\u{10fffd}") },
  // Emails are printable ASCII: nothing to case-fold but A-Z.
  { name: "an email with İ (U+0130)", user: email((u) => `\u0130nfo.${u}@example.com`), refusal: badEmail },
  { name: "an email with ß (U+00DF)", user: email((u) => `stra\u00dfe.${u}@example.com`), refusal: badEmail },
  { name: "an email with the Kelvin sign (U+212A)", user: email((u) => `\u212aelvin.${u}@example.com`), refusal: badEmail },
  { name: "an email with an internationalized domain", user: email((u) => `ada.${u}@b\u00fccher.de`), refusal: badEmail },
  { name: "an email with an emoji", user: email((u) => `\u{1f600}.${u}@example.com`), refusal: badEmail },
  { name: "an email with a fullwidth @ (U+FF20)", user: email((u) => `ada.${u}\uff20example.com`), refusal: badEmail },
  { name: "an email with a no-break space", user: email((u) => `ada.${u}\u00a0@example.com`), refusal: badEmail },
  { name: "an email with an ideographic space", user: email((u) => `ada.${u}\u3000@example.com`), refusal: badEmail },
  { name: "an email with a tab", user: email((u) => `ada.${u}\t@example.com`), refusal: badEmail },
  { name: "an email with a NUL", user: email((u) => `ada.${u}\u0000@example.com`), refusal: badEmail },
  { name: "an email with a DEL (U+007F)", user: email((u) => `ada.${u}\u007f@example.com`), refusal: badEmail },
  { name: "an email with a punycode domain", user: email((u) => `ada.${u}@xn--bcher-kva.de`) },
  { name: "an email with every printable ASCII character a local part may hold", user: email((u) => `${u}.!#$%&'*+/=?^_\`{|}~-@example.com`) },
];

/** A users.v1.User holding these raw bytes in `field` (its number), and valid names otherwise. */
function rawUser(field: number, bytes: readonly number[]): Uint8Array {
  const fields = new Map<number, Uint8Array>([
    [2, Buffer.from("Ada")],
    [3, Buffer.from("Lovelace")],
  ]);
  fields.set(field, new Uint8Array(bytes));
  const writer = new BinaryWriter();
  for (const [n, value] of fields) writer.tag(n, WireType.LengthDelimited).bytes(value);
  return writer.finish();
}

export const undecodableCases: readonly UndecodableCase[] = [
  { name: "a first name with a lone high surrogate (U+D800 as ED A0 80)", user: rawUser(2, [0x41, 0xed, 0xa0, 0x80]) },
  { name: "a last name with a lone low surrogate (U+DC00 as ED B0 80)", user: rawUser(3, [0xed, 0xb0, 0x80, 0x41]) },
  { name: "a first name with a surrogate pair encoded apart (CESU-8)", user: rawUser(2, [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]) },
  { name: "an email with an overlong / (C0 AF)", user: rawUser(4, [...Buffer.from("a"), 0xc0, 0xaf, ...Buffer.from("@example.com")]) },
  { name: "a first name with a stray continuation byte (80)", user: rawUser(2, [0x41, 0x80]) },
];
