// A FileDescriptorProto printed back as .proto source: messages, enums, extensions and options
// (comments are not in a descriptor). Groups, services and editions are not supported.
import { isFieldSet } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FieldDescriptorProtoSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  FieldOptionsSchema,
  OneofOptionsSchema,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import { optionAssignments, quote } from "./text-format.mjs";

const scalarNames = {
  [Type.DOUBLE]: "double",
  [Type.FLOAT]: "float",
  [Type.INT64]: "int64",
  [Type.UINT64]: "uint64",
  [Type.INT32]: "int32",
  [Type.FIXED64]: "fixed64",
  [Type.FIXED32]: "fixed32",
  [Type.BOOL]: "bool",
  [Type.STRING]: "string",
  [Type.BYTES]: "bytes",
  [Type.UINT32]: "uint32",
  [Type.SFIXED32]: "sfixed32",
  [Type.SFIXED64]: "sfixed64",
  [Type.SINT32]: "sint32",
  [Type.SINT64]: "sint64",
};

function protocJsonName(name) {
  let out = "";
  let upper = false;
  for (const c of name) {
    if (c === "_") upper = true;
    else if (upper) {
      out += c.toUpperCase();
      upper = false;
    } else out += c;
  }
  return out;
}

// Set by printFile for the file it prints.
let syntax = "proto2";
let registry;

/** The options of `opts` as "name = value" assignments, extensions resolved with the file's registry. */
const options = (schema, opts, indent) => optionAssignments(registry, schema, opts, indent);

// Whether an optional (proto2) field of a FieldDescriptorProto is present.
const has = (f, name) => isFieldSet(f, FieldDescriptorProtoSchema.fields.find((x) => x.name === name));
const oneofOf = (f) => (has(f, "oneof_index") && !f.proto3Optional ? f.oneofIndex : undefined);

function fieldLine(f, indent, { inOneof = false, mapEntries = new Map() } = {}) {
  if (f.type === Type.GROUP) throw new Error(`groups are not supported (${f.name})`);
  let type;
  const entry = f.label === Label.REPEATED && f.type === Type.MESSAGE ? mapEntries.get(f.typeName) : undefined;
  if (entry) {
    const [k, v] = entry.field;
    type = `map<${typeName(k)}, ${typeName(v)}>`;
  } else {
    type = typeName(f);
  }
  let label = "";
  if (!inOneof && !entry) {
    if (f.label === Label.REPEATED) label = "repeated ";
    else if (f.label === Label.REQUIRED) label = "required ";
    else if (syntax === "proto2" || f.proto3Optional) label = "optional ";
  }
  const opts = [];
  if (has(f, "default_value")) opts.push(`default = ${defaultValue(f)}`);
  if (has(f, "json_name") && f.jsonName !== protocJsonName(f.name)) opts.push(`json_name = ${quote(f.jsonName)}`);
  opts.push(...options(FieldOptionsSchema, f.options, indent));
  const suffix = opts.length ? ` [${opts.join(", ")}]` : "";
  return `${indent}${label}${type} ${f.name} = ${f.number}${suffix};`;
}

function typeName(f) {
  if (f.type === Type.MESSAGE || f.type === Type.ENUM) return f.typeName;
  return scalarNames[f.type];
}

function defaultValue(f) {
  switch (f.type) {
    case Type.STRING:
      return quote(f.defaultValue);
    case Type.BYTES:
      // descriptor.proto: bytes defaults are C-escaped already.
      return `"${f.defaultValue}"`;
    default:
      return f.defaultValue;
  }
}

function optionStatements(schema, opts, indent) {
  return options(schema, opts, indent).map((a) => `${indent}option ${a};`);
}

function ranges(list, max, inclusive) {
  return list
    .map((r) => {
      const end = inclusive ? r.end : r.end - 1;
      if (end === r.start) return `${r.start}`;
      return `${r.start} to ${r.end === max && !inclusive ? "max" : end}`;
    })
    .join(", ");
}

function enumBlock(e, indent) {
  const inner = indent + "  ";
  const lines = [`${indent}enum ${e.name} {`];
  lines.push(...optionStatements(EnumOptionsSchema, e.options, inner));
  for (const v of e.value) {
    const opts = options(EnumValueOptionsSchema, v.options, inner);
    lines.push(`${inner}${v.name} = ${v.number}${opts.length ? ` [${opts.join(", ")}]` : ""};`);
  }
  if (e.reservedRange.length) {
    const max = 2147483647;
    lines.push(
      `${inner}reserved ${e.reservedRange.map((r) => (r.start === r.end ? `${r.start}` : `${r.start} to ${r.end === max ? "max" : r.end}`)).join(", ")};`,
    );
  }
  if (e.reservedName.length) lines.push(`${inner}reserved ${e.reservedName.map(quote).join(", ")};`);
  lines.push(`${indent}}`);
  return lines;
}

function extendBlocks(exts, indent) {
  const lines = [];
  let i = 0;
  while (i < exts.length) {
    const extendee = exts[i].extendee;
    lines.push(`${indent}extend ${extendee} {`);
    while (i < exts.length && exts[i].extendee === extendee) {
      lines.push(fieldLine(exts[i], indent + "  "));
      i++;
    }
    lines.push(`${indent}}`);
  }
  return lines;
}

function messageBlock(m, indent, scope) {
  const inner = indent + "  ";
  const fullName = `${scope}.${m.name}`;
  const lines = [`${indent}message ${m.name} {`];
  lines.push(...optionStatements(MessageOptionsSchema, m.options, inner));
  const mapEntries = new Map();
  for (const n of m.nestedType) {
    if (n.options?.mapEntry) mapEntries.set(`${fullName}.${n.name}`, n);
  }
  // Fields in declaration order; the fields of one oneof are contiguous.
  let i = 0;
  while (i < m.field.length) {
    const f = m.field[i];
    if (oneofOf(f) !== undefined) {
      const index = oneofOf(f);
      const decl = m.oneofDecl[index];
      lines.push(`${inner}oneof ${decl.name} {`);
      lines.push(...optionStatements(OneofOptionsSchema, decl.options, inner + "  "));
      while (i < m.field.length && oneofOf(m.field[i]) === index) {
        lines.push(fieldLine(m.field[i], inner + "  ", { inOneof: true, mapEntries }));
        i++;
      }
      lines.push(`${inner}}`);
    } else {
      lines.push(fieldLine(f, inner, { mapEntries }));
      i++;
    }
  }
  for (const n of m.nestedType) {
    if (n.options?.mapEntry) continue;
    lines.push(...messageBlock(n, inner, fullName));
  }
  for (const e of m.enumType) lines.push(...enumBlock(e, inner));
  lines.push(...extendBlocks(m.extension, inner));
  for (const r of m.extensionRange) {
    const opts = options(ExtensionRangeOptionsSchema, r.options, inner);
    lines.push(`${inner}extensions ${ranges([r], 536870912, false)}${opts.length ? ` [${opts.join(", ")}]` : ""};`);
  }
  if (m.reservedRange.length) lines.push(`${inner}reserved ${ranges(m.reservedRange, 536870912, false)};`);
  if (m.reservedName.length) lines.push(`${inner}reserved ${m.reservedName.map(quote).join(", ")};`);
  lines.push(`${indent}}`);
  return lines;
}

/** `file` (a FileDescriptorProto) as .proto source; `fileRegistry` resolves the extensions in its options. */
export function printFile(file, fileRegistry) {
  if (file.service.length) throw new Error("services are not supported");
  registry = fileRegistry;
  syntax = file.syntax === "" ? "proto2" : file.syntax;
  if (syntax === "editions") throw new Error("editions are not supported");
  const lines = [
    "// Generated by scripts/validate-proto.mjs from the descriptor embedded in @bufbuild/protovalidate.",
    "// Do not edit.",
    `syntax = "${syntax}";`,
    "",
    `package ${file.package};`,
    "",
  ];
  file.dependency.forEach((d, i) => {
    const kind = file.publicDependency.includes(i) ? "public " : file.weakDependency.includes(i) ? "weak " : "";
    lines.push(`import ${kind}${quote(d)};`);
  });
  lines.push("");
  lines.push(...optionStatements(FileOptionsSchema, file.options, ""));
  lines.push("");
  const scope = file.package ? `.${file.package}` : "";
  lines.push(...extendBlocks(file.extension, ""));
  for (const m of file.messageType) lines.push(...messageBlock(m, "", scope));
  for (const e of file.enumType) lines.push(...enumBlock(e, ""));
  return lines.join("\n") + "\n";
}
