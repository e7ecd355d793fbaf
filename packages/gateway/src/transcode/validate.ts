import type { DescMessage, Message } from "@bufbuild/protobuf";
import { ruleViolation } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import type { JsonOptions } from "./json-request.js";

/**
 * The contract's field rules on a request transcoded from JSON, checked before it goes to NATS when
 * VALIDATE_AT_GATEWAY is on: a violation is answered as the service SDKs answer it
 * (@switchyard/protocol's ruleViolation: 400 INVALID_ARGUMENT, the field's proto path, the rule's
 * message). Off, the request goes as it is and the service checks it, as it checks every request
 * whatever its encoding: the same answer, without checking every valid request twice.
 */
export function validateRequest<M extends Message>(schema: DescMessage, message: M, options: JsonOptions): M {
  if (options.validate !== true) return message;
  const violation = ruleViolation(schema, message);
  if (violation === undefined) return message;
  throw new GatewayError(violation.code, violation.message, violation.field);
}
