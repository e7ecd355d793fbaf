import { createHash } from "node:crypto";
import { clearField, clone, create, createFileRegistry, toJson, type DescFile, type JsonValue, type Registry } from "@bufbuild/protobuf";
import { FieldDescriptorProtoSchema, FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto, type FileDescriptorSet } from "@bufbuild/protobuf/wkt";

/** The digest that names a serialized descriptor set: the first 32 hex digits of its SHA-256. */
export function descriptorDigest(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 32);
}

/** What is wrong with the order of a carried set: each file once, after every file it imports. */
export function orderProblems(set: FileDescriptorSet): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of set.file) {
    if (seen.has(file.name)) problems.push(`${file.name} is in the set twice`);
    for (const dependency of file.dependency) {
      if (!seen.has(dependency)) problems.push(`${file.name} imports ${dependency}, which does not come before it`);
    }
    seen.add(file.name);
  }
  return problems;
}

/** The contract's file and every file it imports, so that their custom options can be read. */
export function contractRegistry(file: DescFile): Registry {
  const files: DescFile[] = [];
  const visit = (f: DescFile): void => {
    if (files.includes(f)) return;
    f.dependencies.forEach(visit);
    files.push(f);
  };
  visit(file);
  return createFileRegistry(create(FileDescriptorSetSchema, { file: files.map((f) => f.proto) }));
}

/**
 * A file descriptor as JSON, in a form two languages' serializations of one contract agree on:
 * custom options decoded (protovalidate rules, HTTP routes), no source info, and `json_name` only
 * where it is not the name protoc derives (some generators keep the derived one, some drop it).
 */
export function comparable(file: FileDescriptorProto, registry: Registry): JsonValue {
  const copy = clone(FileDescriptorProtoSchema, file);
  copy.sourceCodeInfo = undefined;
  const messages = [...copy.messageType];
  for (let message = messages.shift(); message !== undefined; message = messages.shift()) {
    messages.push(...message.nestedType);
    for (const field of [...message.field, ...message.extension]) {
      // Unset, not "": json_name has presence, and an empty one would still be printed.
      if (field.jsonName === derivedJsonName(field.name)) clearField(field, FieldDescriptorProtoSchema.field.jsonName);
    }
  }
  return toJson(FileDescriptorProtoSchema, copy, { registry });
}

/** protoc's json_name: lowerCamelCase, each "_" dropped and the letter after it capitalized. */
function derivedJsonName(name: string): string {
  return name.replace(/_(.?)/g, (_, next: string) => next.toUpperCase());
}
