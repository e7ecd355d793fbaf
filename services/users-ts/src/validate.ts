import type { CreateUserRequest, GetUserRequest } from "@switchyard/contracts";
import { ServiceError } from "@switchyard/service";

const MAX_NAME = 100;
const MAX_EMAIL = 254;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Field rules of services/README.md, checked in the order given there. */
export function validateCreateUser(request: CreateUserRequest): asserts request is CreateUserRequest & {
  user: NonNullable<CreateUserRequest["user"]>;
} {
  const { user } = request;
  if (user === undefined) throw invalid("user", "user is required");
  if (user.id !== "") throw invalid("user.id", "user.id is assigned by the service");
  checkName("user.first_name", user.firstName);
  checkName("user.last_name", user.lastName);
  if (user.email !== "" && ([...user.email].length > MAX_EMAIL || !EMAIL.test(user.email))) {
    throw invalid("user.email", "user.email must be a valid email address");
  }
}

export function validateGetUser(request: GetUserRequest): void {
  if (request.id === "") throw invalid("id", "id is required");
}

function checkName(field: string, value: string): void {
  if (value.trim() === "") throw invalid(field, `${field} is required`);
  if ([...value].length > MAX_NAME) throw invalid(field, `${field} must be at most ${MAX_NAME} characters`);
}

function invalid(field: string, message: string): ServiceError {
  return new ServiceError("INVALID_ARGUMENT", message, field);
}
