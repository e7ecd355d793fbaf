import type {
  CreateUserRequest,
  DeleteUserRequest,
  GetUserRequest,
  ListUsersRequest,
  UpdateUserRequest,
  User,
} from "@switchyard/contracts";
import { ServiceError } from "@switchyard/service";
import { isUserId, USER_ID_RULE } from "./keys.js";

// The text rules of services/README.md ("Text"), the same as the contract's field rules.
const MAX_NAME = 100;
const MAX_EMAIL = 254;
/** Unicode White_Space, listed: JavaScript's \s and trim() differ from it (U+FEFF in, U+0085 out). */
const BLANK = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
/** Printable ASCII but "@" on each side of the "@", and a "." in the domain. */
const EMAIL = /^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+\.[\x21-\x3f\x41-\x7e]+$/;
/** Control characters (general category Cc); quoted client text has each replaced by a space. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const MAX_PAGE_SIZE = 100;
const UPDATABLE = ["first_name", "last_name", "email"] as const;
type Updatable = (typeof UPDATABLE)[number];

/** The field rules of services/README.md, each checked in the order given there. */
export function validateCreateUser(request: CreateUserRequest): User {
  const { user } = request;
  if (user === undefined) throw invalid("user", "user is required");
  if (user.id !== "") throw invalid("user.id", "user.id is assigned by the service");
  checkField(user, "first_name");
  checkField(user, "last_name");
  checkField(user, "email");
  return user;
}

export function validateId(request: GetUserRequest | DeleteUserRequest): void {
  checkId("id", request.id);
}

export function validateListUsers(request: ListUsersRequest): void {
  if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE) {
    throw invalid("page_size", `page_size must be between 0 and ${MAX_PAGE_SIZE}`);
  }
}

/** The user with its id and the masked fields to change, in mask order. */
export function validateUpdateUser(request: UpdateUserRequest): { user: User; paths: Updatable[] } {
  const { user, updateMask } = request;
  if (user === undefined) throw invalid("user", "user is required");
  checkId("user.id", user.id);
  if (updateMask === undefined || updateMask.paths.length === 0) throw invalid("update_mask", "update_mask is required");
  for (const path of updateMask.paths) {
    if (!(UPDATABLE as readonly string[]).includes(path)) {
      throw invalid("update_mask", `update_mask path "${path.replace(CONTROL, " ")}" cannot be updated`);
    }
  }
  const paths = updateMask.paths as Updatable[];
  for (const path of paths) checkField(user, path);
  return { user, paths };
}

export function copyMasked(from: User, to: User, paths: readonly Updatable[]): User {
  const next = { ...to };
  for (const path of paths) {
    if (path === "first_name") next.firstName = from.firstName;
    else if (path === "last_name") next.lastName = from.lastName;
    else next.email = from.email;
  }
  return next;
}

function checkField(user: User, path: Updatable): void {
  const field = `user.${path}`;
  if (path === "email") {
    const { email } = user;
    if (email !== "" && (codePoints(email) > MAX_EMAIL || !EMAIL.test(email))) {
      throw invalid(field, `${field} must be a valid email address`);
    }
    return;
  }
  const value = path === "first_name" ? user.firstName : user.lastName;
  if (BLANK.test(value)) throw invalid(field, `${field} is required`);
  if (codePoints(value) > MAX_NAME) throw invalid(field, `${field} must be at most ${MAX_NAME} characters`);
}

/** Lengths count code points, not UTF-16 units: an emoji is one character. */
function codePoints(text: string): number {
  return [...text].length;
}

/** An id taken from a request: required, and one a user can have (it becomes part of a KV key). */
function checkId(field: string, id: string): void {
  if (id === "") throw invalid(field, `${field} is required`);
  if (!isUserId(id)) throw invalid(field, `${field} must be ${USER_ID_RULE}`);
}

function invalid(field: string, message: string): ServiceError {
  return new ServiceError("INVALID_ARGUMENT", message, field);
}
