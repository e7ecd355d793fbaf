import type { DescMessage, Message } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator, type Violation } from "@bufbuild/protovalidate";
import { GatewayError } from "../errors.js";
import { regexMatch } from "./fast-regex.js";

/**
 * The contract's field rules (protovalidate annotations in the .proto), checked on a request
 * transcoded from JSON before it goes to NATS: a violation is answered 400 INVALID_ARGUMENT with the
 * field's proto path (`user.email`), as the service would. Services check the same rules on what
 * reaches them straight over NATS, Protobuf bodies passed through the gateway included (those are
 * not decoded here).
 *
 * The first violation is reported (failFast), as the services report one. A rule that cannot be
 * compiled or evaluated does not block the request: the service decides.
 */
const validator = createValidator({ failFast: true, regexMatch });

export function validateRequest<M extends Message>(schema: DescMessage, message: M): M {
  const result = validator.validate(schema, message);
  if (result.kind !== "invalid") return message;
  const violation = result.violations[0]!;
  throw new GatewayError("INVALID_ARGUMENT", violation.message, fieldOf(violation));
}

/**
 * The violation's field path in proto names. A CEL rule on a message field may be about one of its
 * fields: its id then starts with that field's name (`first_name.required` on `user` is about
 * `user.first_name`), the way the contract declares the rules that depend on the request.
 */
export function fieldOf(violation: Violation): string {
  const path = pathToString(violation.field);
  const [parent, last] = violation.rule.slice(-2);
  if (last?.kind === "list_sub" && parent?.kind === "field" && parent.name === "cel") {
    const dot = violation.ruleId.lastIndexOf(".");
    if (dot > 0) return path === "" ? violation.ruleId.slice(0, dot) : `${path}.${violation.ruleId.slice(0, dot)}`;
  }
  return path;
}
