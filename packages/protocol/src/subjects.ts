import type { DescMethod, DescService } from "@bufbuild/protobuf";

/**
 * The subject of an RPC is its fully-qualified name: `users.v1.UserService.CreateUser`.
 * Every implementation of a contract, in any language, derives the same subject from the contract,
 * so the gateway and services never share a hand-written list.
 */
export function methodSubject(method: DescMethod): string {
  return `${method.parent.typeName}.${method.name}`;
}

/**
 * Instances that implement the same contract share one queue group named after the service
 * (`users-v1-UserService`: the services API allows no dots in queue names), so NATS hands each
 * request to exactly one of them whatever their language or service name.
 */
export function queueGroup(service: DescService): string {
  return service.typeName.replaceAll(".", "-");
}
