import { createHash } from "node:crypto";
import { create, toBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

/**
 * A contract as a service carries it: the FileDescriptorSet of its file and every file it imports,
 * dependencies first, with the digest that names it. Instances with the same digest carry the
 * same contract, so the digest is also the subject suffix they answer on.
 */
export function contractDescriptors(file: DescFile): { bytes: Uint8Array; digest: string } {
  const ordered: DescFile[] = [];
  const visit = (f: DescFile): void => {
    if (ordered.includes(f)) return;
    for (const dep of f.dependencies) visit(dep);
    ordered.push(f);
  };
  visit(file);
  const bytes = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: ordered.map((f) => f.proto) }));
  return { bytes, digest: contractDigest(bytes) };
}

/** The digest of a serialized descriptor set: the first 32 hex characters of its SHA-256. */
export function contractDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
}

/** Where instances carrying the contract with this digest answer with its descriptor set. */
export function descriptorsSubject(digest: string): string {
  return `switchyard.descriptors.${digest}`;
}
