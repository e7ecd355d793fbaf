import type { DescEnum, DescEnumValue, DescField, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";

type Commented = DescService | DescMethod | DescMessage | DescField | DescEnum | DescEnumValue;

/**
 * The comment above (or else after) an element in its .proto source, or undefined. Descriptors
 * embedded by protoc-gen-es carry no source info, so for the generated contracts this is always
 * undefined and the document falls back to names; a registry built from a descriptor set made with
 * source info (`buf build --as-file-descriptor-set`, `protoc --include_source_info`) has them.
 */
export function commentsOf(desc: Commented): string | undefined {
  const file = desc.kind === "enum_value" || desc.kind === "field" || desc.kind === "rpc" ? desc.parent.file : desc.file;
  const locations = file.proto.sourceCodeInfo?.location;
  if (locations === undefined || locations.length === 0) return undefined;
  const path = sourcePath(desc);
  if (path === undefined) return undefined;
  const location = locations.find((l) => l.path.length === path.length && l.path.every((n, i) => n === path[i]));
  if (location === undefined) return undefined;
  const text = tidyComment(location.leadingComments ?? "") || tidyComment(location.trailingComments ?? "");
  return text === "" ? undefined : text;
}

/** The first sentence-ish line of a comment, for an operation's summary. */
export function firstLine(comment: string): string {
  return comment.split("\n\n")[0]!.replace(/\s*\n\s*/g, " ").trim();
}

// Field numbers in descriptor.proto: FileDescriptorProto.message_type = 4, enum_type = 5, service = 6;
// DescriptorProto.field = 2, nested_type = 3, enum_type = 4; EnumDescriptorProto.value = 2;
// ServiceDescriptorProto.method = 2.
function sourcePath(desc: Commented): number[] | undefined {
  switch (desc.kind) {
    case "service":
      return index([6], desc.file.proto.service.indexOf(desc.proto));
    case "rpc": {
      const service = sourcePath(desc.parent);
      return service && index([...service, 2], desc.parent.proto.method.indexOf(desc.proto));
    }
    case "message": {
      if (desc.parent === undefined) return index([4], desc.file.proto.messageType.indexOf(desc.proto));
      const parent = sourcePath(desc.parent);
      return parent && index([...parent, 3], desc.parent.proto.nestedType.indexOf(desc.proto));
    }
    case "field": {
      const parent = sourcePath(desc.parent);
      return parent && index([...parent, 2], desc.parent.proto.field.indexOf(desc.proto));
    }
    case "enum": {
      if (desc.parent === undefined) return index([5], desc.file.proto.enumType.indexOf(desc.proto));
      const parent = sourcePath(desc.parent);
      return parent && index([...parent, 4], desc.parent.proto.enumType.indexOf(desc.proto));
    }
    case "enum_value": {
      const parent = sourcePath(desc.parent);
      return parent && index([...parent, 2], desc.parent.proto.value.indexOf(desc.proto));
    }
  }
}

function index(prefix: number[], i: number): number[] | undefined {
  return i === -1 ? undefined : [...prefix, i];
}

/** protoc keeps the text after "//" with its leading space; drop it and trailing blank lines. */
function tidyComment(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => (line.startsWith(" ") ? line.slice(1) : line).trimEnd())
    .join("\n")
    .trim();
}
