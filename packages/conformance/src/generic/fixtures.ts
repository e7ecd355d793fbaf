import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { methodSubject } from "@switchyard/protocol";

// The facts of services/README.md that hold for every contract, restated here on purpose: the
// suite checks them, it does not import them from an implementation.

/** The deployment the suite names in SWITCHYARD_DEPLOYMENT for the instance under test. */
export const DEPLOYMENT = "conformance-generic";

/** The subject of an RPC on the deployment's own endpoint (services/README.md, "Deployments"). */
export function deploymentSubject(rpcSubject: string): string {
  return `switchyard.deployment.${DEPLOYMENT}.${rpcSubject}`;
}

/** The endpoint of an RPC on the deployment's own subject. */
export function deploymentEndpoint(method: DescMethod): string {
  return `${method.name}-${DEPLOYMENT}`;
}

/**
 * The contract service `typeName` from a serialized google.protobuf.FileDescriptorSet holding its
 * file and every file that imports (`buf build <module> -o contract.binpb`).
 */
export function loadService(descriptorsPath: string, typeName: string): DescService {
  let registry;
  try {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorsPath)));
  } catch (err) {
    throw new Error(`CONFORMANCE_DESCRIPTORS ${descriptorsPath}: not a readable descriptor set with every import (${(err as Error).message})`, { cause: err });
  }
  const service = registry.getService(typeName);
  if (service === undefined) throw new Error(`CONFORMANCE_DESCRIPTORS ${descriptorsPath} holds no service ${typeName} (CONFORMANCE_SERVICE)`);
  return service;
}

/** Every RPC's subject on the shared queue group: an instance serving them all is ready. */
export function sharedSubjects(service: DescService): string[] {
  return service.methods.map((method) => methodSubject(method));
}
