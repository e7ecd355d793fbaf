import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CreateUserRequestSchema } from "@switchyard/contracts";
import { MAX_EMAIL, MAX_NAME, newUser } from "./fixtures.js";

type CreateUserInit = MessageInitShape<typeof CreateUserRequestSchema>;

/** A CreateUser request the service must refuse with INVALID_ARGUMENT on `field`. */
export interface InvalidCase {
  name: string;
  request: CreateUserInit;
  field: string;
  /** The description services/README.md gives. */
  description: string;
}

/** A CreateUser request the service must accept, at a boundary of a rule. */
export interface ValidCase {
  name: string;
  request: CreateUserInit & { user: NonNullable<CreateUserInit["user"]> };
}

const tooLongName = "a".repeat(MAX_NAME + 1);
const required = (field: string): string => `${field} is required`;
const tooLong = (field: string): string => `${field} must be at most ${MAX_NAME} characters`;
const badEmail = "user.email must be a valid email address";

/** An email of exactly `length` characters, unique per call. */
export function emailOfLength(length: number): string {
  const domain = "@example.com";
  const unique = randomUUID().slice(0, 8);
  return unique + "a".repeat(length - unique.length - domain.length) + domain;
}

/** Every rule of services/README.md, in the order given there. */
export const invalidCases: readonly InvalidCase[] = [
  { name: "user missing", request: {}, field: "user", description: "user is required" },
  {
    name: "user.id set",
    request: { user: newUser({ id: randomUUID() }) },
    field: "user.id",
    description: "user.id is assigned by the service",
  },
  ...(["first_name", "last_name"] as const).flatMap((field): InvalidCase[] => {
    const with_ = (value: string): CreateUserInit => ({
      user: newUser(field === "first_name" ? { firstName: value } : { lastName: value }),
    });
    return [
      { name: `${field} empty`, request: with_(""), field: `user.${field}`, description: required(`user.${field}`) },
      { name: `${field} only whitespace`, request: with_(" \t\n "), field: `user.${field}`, description: required(`user.${field}`) },
      {
        name: `${field} of ${MAX_NAME + 1} characters`,
        request: with_(tooLongName),
        field: `user.${field}`,
        description: tooLong(`user.${field}`),
      },
    ];
  }),
  ...[
    ["without @", "ada.example.com"],
    ["without a dot in the domain", "ada@example"],
    ["with nothing before @", "@example.com"],
    ["with nothing after the last dot", "ada@example."],
    ["with two @", "ada@lovelace@example.com"],
    ["with a space", "ada lovelace@example.com"],
    ["with a newline between two addresses", "ada@example.com\nbob@example.com"],
    [`of ${MAX_EMAIL + 1} characters`, emailOfLength(MAX_EMAIL + 1)],
  ].map(([what, email]): InvalidCase => ({
    name: `email ${what}`,
    request: { user: newUser({ email: email ?? "" }) },
    field: "user.email",
    description: badEmail,
  })),
];

/** Requests with several faults: the service names the first in the README's order. */
export const firstFaultCases: readonly InvalidCase[] = [
  {
    name: "user.id set, first_name empty and a bad email",
    request: { user: newUser({ id: randomUUID(), firstName: "", email: "nope" }) },
    field: "user.id",
    description: "user.id is assigned by the service",
  },
  {
    name: `first_name of ${MAX_NAME + 1} characters and last_name empty`,
    request: { user: newUser({ firstName: tooLongName, lastName: "" }) },
    field: "user.first_name",
    description: tooLong("user.first_name"),
  },
  {
    name: "last_name only whitespace and a bad email",
    request: { user: newUser({ lastName: "  ", email: "nope" }) },
    field: "user.last_name",
    description: required("user.last_name"),
  },
];

/** Requests at the edge of a rule, on the accepted side. */
export const validCases: readonly ValidCase[] = [
  {
    name: `names of exactly ${MAX_NAME} characters`,
    request: { user: newUser({ firstName: "f".repeat(MAX_NAME), lastName: "l".repeat(MAX_NAME) }) },
  },
  {
    // Characters, not bytes: "é" is two bytes in UTF-8.
    name: `names of ${MAX_NAME} non-ASCII characters`,
    request: { user: newUser({ firstName: "é".repeat(MAX_NAME), lastName: "Łódź" }) },
  },
  {
    name: "names with surrounding whitespace",
    request: { user: newUser({ firstName: " Ada ", lastName: "\tLovelace" }) },
  },
  {
    name: `email of exactly ${MAX_EMAIL} characters`,
    request: { user: newUser({ email: emailOfLength(MAX_EMAIL) }) },
  },
];
