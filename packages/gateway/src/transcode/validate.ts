import type { DescMessage, Message } from "@bufbuild/protobuf";
import { ruleViolation } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";

/**
 * The contract's field rules, checked on a request transcoded from JSON before it goes to NATS: a
 * violation is answered as the service SDKs answer it (@switchyard/protocol's ruleViolation: 400
 * INVALID_ARGUMENT, the field's proto path, the rule's message). Protobuf bodies passed through the
 * gateway are not decoded here: the service checks the same rules on them.
 */
export function validateRequest<M extends Message>(schema: DescMessage, message: M): M {
  const violation = ruleViolation(schema, message);
  if (violation === undefined) return message;
  throw new GatewayError(violation.code, violation.message, violation.field);
}
