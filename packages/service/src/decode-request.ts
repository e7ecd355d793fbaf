import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { ruleViolation } from "@switchyard/protocol";
import { ServiceError } from "./service-error.js";

/**
 * A request as its handler receives it: decoded, and within its contract's field rules. A rule
 * broken is answered as the gateway answers it for a JSON request (@switchyard/protocol's
 * ruleViolation), so a request gets the same reply straight over NATS as through the gateway.
 */
export function decodeRequest<I extends DescMessage>(schema: I, data: Uint8Array): MessageShape<I> {
  let request: MessageShape<I>;
  try {
    request = fromBinary(schema, data);
  } catch {
    throw new ServiceError("INVALID_ARGUMENT", `request is not a valid ${schema.typeName}`);
  }
  const violation = ruleViolation(schema, request);
  if (violation !== undefined) throw new ServiceError(violation.code, violation.message, violation.field);
  return request;
}
