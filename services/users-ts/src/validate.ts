import { create } from "@bufbuild/protobuf";
import { UserSchema, type User } from "@switchyard/contracts";
import { ruleViolation } from "@switchyard/protocol";
import { ServiceError } from "@switchyard/service";

// The contract's field rules are checked by the SDK before a handler runs (the same check as the
// gateway's). What is left here depends on the update mask, which protovalidate cannot express.

/** Control characters (general category Cc); quoted client text has each replaced by a space. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const UPDATABLE = ["first_name", "last_name", "email"] as const;
type Updatable = (typeof UPDATABLE)[number];

/**
 * The masked fields to change, in mask order: each path one that can be updated, then each masked
 * field within User's rules, a masked name required (services/README.md, UpdateUser).
 */
export function maskedPaths(user: User, paths: readonly string[]): Updatable[] {
  for (const path of paths) {
    if (!(UPDATABLE as readonly string[]).includes(path)) {
      throw invalid("update_mask", `update_mask path "${path.replace(CONTROL, " ")}" cannot be updated`);
    }
  }
  for (const path of paths as Updatable[]) checkMasked(user, path);
  return paths as Updatable[];
}

export function copyMasked(from: User, to: User, paths: readonly Updatable[]): User {
  const next = { ...to };
  for (const path of paths) next[PROPERTY[path]] = from[PROPERTY[path]];
  return next;
}

const PROPERTY = { first_name: "firstName", last_name: "lastName", email: "email" } as const;

/** One masked field against User's rules alone; those skip an empty value, which a masked name may not be. */
function checkMasked(user: User, path: Updatable): void {
  const value = user[PROPERTY[path]];
  if (value === "" && path !== "email") throw invalid(`user.${path}`, `user.${path} is required`);
  const violation = ruleViolation(UserSchema, create(UserSchema, { [PROPERTY[path]]: value }));
  if (violation !== undefined) throw invalid(`user.${violation.field}`, violation.message);
}

function invalid(field: string, message: string): ServiceError {
  return new ServiceError("INVALID_ARGUMENT", message, field);
}
