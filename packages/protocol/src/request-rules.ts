import { create, type DescMessage, type Message } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator, type Violation } from "@bufbuild/protovalidate";
import { regexMatch } from "./fast-regex.js";

/** A request that breaks one of its contract's field rules, as every Switchyard process answers it. */
export interface RuleViolation {
  readonly code: "INVALID_ARGUMENT";
  /** The rule's message: the contract's own for a CEL rule, protovalidate's for a standard one. */
  readonly message: string;
  /** The field at fault, as a path of proto field names from the request message (`user.email`). */
  readonly field: string;
}

/**
 * The contract's field rules (protovalidate annotations in the .proto), checked the same way by the
 * gateway on a request transcoded from JSON and by the service SDK on every request it decodes, so a
 * request gets the same code, field and message whichever way it comes.
 *
 * The first violation is reported (failFast). A rule that cannot be compiled or evaluated does not
 * refuse the request: the handler decides. The validator compiles each message's rules once.
 */
const validator = createValidator({ failFast: true, regexMatch });

export function ruleViolation(schema: DescMessage, message: Message): RuleViolation | undefined {
  const result = validator.validate(schema, message);
  if (result.kind !== "invalid") return undefined;
  const violation = result.violations[0]!;
  return { code: "INVALID_ARGUMENT", message: violation.message, field: fieldOf(violation) };
}

/**
 * Compiles a message's rules now rather than on its first request (CEL compiles in milliseconds,
 * which a request with a short deadline cannot spare): an empty message is validated once.
 */
export function prepareRules(schema: DescMessage): void {
  validator.validate(schema, create(schema));
}

/**
 * The violation's field path in proto names. A CEL rule on a message field may be about one of its
 * fields: its id then starts with that field's name (`first_name.required` on `user` is about
 * `user.first_name`), the way the contract declares the rules that depend on the request. A CEL
 * rule on the request message itself (no field, no rule path) names its field the same way
 * (`user.required` is about `user`).
 */
function fieldOf(violation: Violation): string {
  const path = pathToString(violation.field);
  const [parent, last] = violation.rule.slice(-2);
  const onField = last?.kind === "list_sub" && parent?.kind === "field" && parent.name === "cel";
  const onMessage = violation.rule.length === 0 && path === "";
  if (onField || onMessage) {
    const dot = violation.ruleId.lastIndexOf(".");
    if (dot > 0) return path === "" ? violation.ruleId.slice(0, dot) : `${path}.${violation.ruleId.slice(0, dot)}`;
  }
  return path;
}
