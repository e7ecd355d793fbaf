import type { MessageInitShape } from "@bufbuild/protobuf";
import type { UpdateUserRequestSchema } from "@switchyard/contracts";
import { mask } from "./update-calls.js";
import { invalidCases } from "./validation-cases.js";

type UpdateInit = MessageInitShape<typeof UpdateUserRequestSchema>;

/** The descriptions services/README.md gives. */
export const required = (field: string): string => `${field} is required`;
const BAD_EMAIL = "user.email must be a valid email address";
export const TAKEN = "email is already taken";

export interface UpdateCase {
  name: string;
  request: (id: string) => UpdateInit;
  field: string;
  description: string;
}

const CANNOT = (path: string): string => `update_mask path "${path}" cannot be updated`;

/** Every check of services/README.md before the user is read, in its order, on an existing user. */
export const updateInvalidCases: readonly UpdateCase[] = [
  { name: "user missing", request: () => ({}), field: "user", description: "user is required" },
  {
    name: "user missing, with a mask",
    request: () => ({ updateMask: mask("first_name") }),
    field: "user",
    description: "user is required",
  },
  {
    name: "user.id empty",
    request: () => ({ user: { firstName: "New" }, updateMask: mask("first_name") }),
    field: "user.id",
    description: "user.id is required",
  },
  {
    name: "user.id empty, no mask and first_name empty",
    request: () => ({ user: { firstName: "" } }),
    field: "user.id",
    description: "user.id is required",
  },
  {
    name: "update_mask missing",
    request: (id) => ({ user: { id, firstName: "New" } }),
    field: "update_mask",
    description: "update_mask is required",
  },
  {
    name: "update_mask with no path",
    request: (id) => ({ user: { id, firstName: "New" }, updateMask: mask() }),
    field: "update_mask",
    description: "update_mask is required",
  },
  {
    name: "update_mask missing and first_name empty",
    request: (id) => ({ user: { id, firstName: "" } }),
    field: "update_mask",
    description: "update_mask is required",
  },
  ...["id", "nickname", "firstName", "user.first_name", "FIRST_NAME"].map(
    (path): UpdateCase => ({
      name: `update_mask path "${path}"`,
      request: (id) => ({ user: { id, firstName: "New" }, updateMask: mask(path) }),
      field: "update_mask",
      description: CANNOT(path),
    }),
  ),
  {
    name: "update_mask path \"nickname\" after first_name, first_name empty",
    request: (id) => ({ user: { id, firstName: "" }, updateMask: mask("first_name", "nickname") }),
    field: "update_mask",
    description: CANNOT("nickname"),
  },
  // The CreateUser rules of the three fields, each field masked alone.
  ...invalidCases
    .filter((c) => ["user.first_name", "user.last_name", "user.email"].includes(c.field))
    .map(
      (c): UpdateCase => ({
        name: c.name,
        request: (id) => ({ user: { ...c.request.user, id }, updateMask: mask(c.field.slice("user.".length)) }),
        field: c.field,
        description: c.description,
      }),
    ),
  // Several faults: the first in mask order.
  ...(
    [
      [["last_name", "first_name"], "user.last_name", required("user.last_name")],
      [["first_name", "last_name"], "user.first_name", required("user.first_name")],
      [["email", "last_name"], "user.email", BAD_EMAIL],
      [["last_name", "email"], "user.last_name", required("user.last_name")],
    ] as const
  ).map(
    ([paths, field, description]): UpdateCase => ({
      name: `mask [${paths.join(", ")}], first_name and last_name empty, email bad`,
      request: (id) => ({ user: { id, firstName: "", lastName: " ", email: "nope" }, updateMask: mask(...paths) }),
      field,
      description,
    }),
  ),
];
