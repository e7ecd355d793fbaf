#!/usr/bin/env node
// Writes buf/validate/validate.proto (protovalidate's rules) as .proto source into .tools/protos, for
// buf to compile our contracts against. No registry we can reach serves that file's source, but the
// npm package @bufbuild/protovalidate embeds its descriptor (FileDescriptorProto) in its generated
// code: this prints that descriptor back as .proto source (comments are lost; the descriptor is the
// same). `--check` also compiles the printed file with buf and fails unless the rebuilt descriptor
// equals the embedded one.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createRegistry,
  equals,
  fromBinary,
  getExtension,
  hasExtension,
  isFieldSet,
  ScalarType,
  toBinary,
  toJsonString,
} from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FieldDescriptorProtoSchema,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  FileOptionsSchema,
  MessageOptionsSchema,
  FieldOptionsSchema,
  OneofOptionsSchema,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
} from "@bufbuild/protobuf/wkt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, ".tools/protos");
const outFile = join(outDir, "buf/validate/validate.proto");
const genModule = join(root, "node_modules/@bufbuild/protovalidate/dist/esm/gen/buf/validate/validate_pb.js");

const { file_buf_validate_validate: validateFile } = await import(pathToFileURL(genModule).href);
// The file and its imports: the registry resolves the option extensions (buf.validate.predefined).
const registry = createRegistry(validateFile);

// --- values in text format -------------------------------------------------------------------

// A string or bytes literal; everything outside printable ASCII as octal escapes of its UTF-8 bytes.
function quote(s) {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  let out = "";
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b < 0x20 || b >= 0x7f) out += "\\" + b.toString(8).padStart(3, "0");
    else out += String.fromCharCode(b);
  }
  return `"${out}"`;
}

function number(v) {
  if (typeof v === "bigint") return v.toString();
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function scalar(type, v) {
  switch (type) {
    case ScalarType.STRING:
      return quote(v);
    case ScalarType.BYTES:
      return quote(v);
    case ScalarType.BOOL:
      return v ? "true" : "false";
    default:
      return number(v);
  }
}

function single(field, v, indent) {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "scalar") return scalar(field.scalar, v);
  if (kind === "enum") {
    const value = field.enum.values.find((e) => e.number === v);
    return value ? value.name : String(v);
  }
  if (kind === "message") return aggregate(field.message, v, indent);
  throw new Error(`unsupported field kind ${field.fieldKind} (${field.name})`);
}

// A message as a text format aggregate: { name: value ... }.
function aggregate(schema, msg, indent) {
  const inner = indent + "  ";
  const lines = [];
  for (const field of schema.fields) {
    if (!isFieldSet(msg, field)) continue;
    if (field.fieldKind === "map") throw new Error(`map in option value: ${field.name}`);
    const v = field.oneof ? msg[field.oneof.localName].value : msg[field.localName];
    const sep = field.fieldKind === "message" || field.listKind === "message" ? " " : ": ";
    if (field.fieldKind === "list") {
      for (const e of v) lines.push(`${inner}${field.name}${sep}${single(field, e, inner)}`);
    } else {
      lines.push(`${inner}${field.name}${sep}${single(field, v, inner)}`);
    }
  }
  for (const ext of extensionsOf(schema, msg)) {
    throw new Error(`extension ${ext.typeName} inside an option value is not supported`);
  }
  if (lines.length === 0) return "{}";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function extensionsOf(schema, msg) {
  const found = [];
  for (const type of registry) {
    if (type.kind === "extension" && type.extendee.typeName === schema.typeName && hasExtension(msg, type)) {
      found.push(type);
    }
  }
  return found;
}

// An options message as a list of "name = value" (standard fields and extensions), each value in
// text format. Repeated fields give one entry per element.
function optionAssignments(schema, opts, indent, skip = []) {
  if (!opts) return [];
  // Decode extensions from unknown fields with our registry.
  const out = [];
  for (const field of schema.fields) {
    if (skip.includes(field.name) || field.name === "uninterpreted_option") continue;
    if (!isFieldSet(opts, field)) continue;
    const v = opts[field.localName];
    if (field.fieldKind === "list") {
      for (const e of v) out.push(`${field.name} = ${single(field, e, indent)}`);
    } else {
      out.push(`${field.name} = ${single(field, v, indent)}`);
    }
  }
  for (const ext of extensionsOf(schema, opts)) {
    const v = getExtension(opts, ext);
    if (ext.fieldKind === "list") {
      for (const e of v) out.push(`(${ext.typeName}) = ${single(ext, e, indent)}`);
    } else {
      out.push(`(${ext.typeName}) = ${single(ext, v, indent)}`);
    }
  }
  return out;
}

// --- descriptors as .proto source ------------------------------------------------------------

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

let syntax = "proto2";

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
  opts.push(...optionAssignments(FieldOptionsSchema, f.options, indent));
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
  return optionAssignments(schema, opts, indent).map((a) => `${indent}option ${a};`);
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
    const opts = optionAssignments(EnumValueOptionsSchema, v.options, inner);
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
    const opts = optionAssignments(ExtensionRangeOptionsSchema, r.options, inner);
    lines.push(`${inner}extensions ${ranges([r], 536870912, false)}${opts.length ? ` [${opts.join(", ")}]` : ""};`);
  }
  if (m.reservedRange.length) lines.push(`${inner}reserved ${ranges(m.reservedRange, 536870912, false)};`);
  if (m.reservedName.length) lines.push(`${inner}reserved ${m.reservedName.map(quote).join(", ")};`);
  lines.push(`${indent}}`);
  return lines;
}

export function printFile(file) {
  if (file.service.length) throw new Error("services are not supported");
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

// --- main ------------------------------------------------------------------------------------

const source = printFile(validateFile.proto);
mkdirSync(dirname(outFile), { recursive: true });
let previous;
try {
  previous = readFileSync(outFile, "utf8");
} catch {}
if (previous !== source) writeFileSync(outFile, source);

if (process.argv.includes("--check")) {
  const buf = join(root, "node_modules/.bin/buf");
  mkdirSync(join(root, ".run"), { recursive: true });
  const image = execFileSync(buf, ["build", outDir, "--exclude-imports", "-o", "-#format=binpb"], { cwd: root });
  const set = fromBinary(FileDescriptorSetSchema, new Uint8Array(image));
  const rebuilt = set.file.find((f) => f.name === "buf/validate/validate.proto");
  const normalize = (f) => {
    const c = fromBinary(FileDescriptorProtoSchema, toBin(f));
    c.sourceCodeInfo = undefined;
    // buf images carry their own metadata in field 8042 of FileDescriptorProto (ImageFileExtension).
    c.$unknown = c.$unknown?.filter((u) => u.no !== 8042);
    if (c.$unknown?.length === 0) c.$unknown = undefined;
    return c;
  };
  const a = normalize(validateFile.proto);
  const b = normalize(rebuilt);
  if (!equals(FileDescriptorProtoSchema, a, b, { registry, extensions: true, unknown: true })) {
    writeFileSync(join(root, ".run/validate-proto.embedded.json"), toJsonString(FileDescriptorProtoSchema, a, { registry, prettySpaces: 1 }));
    writeFileSync(join(root, ".run/validate-proto.rebuilt.json"), toJsonString(FileDescriptorProtoSchema, b, { registry, prettySpaces: 1 }));
    console.error("validate-proto: the rebuilt descriptor differs from the embedded one (.run/validate-proto.*.json)");
    process.exit(1);
  }
  console.log("validate-proto: round trip exact");
}

function toBin(f) {
  return toBinary(FileDescriptorProtoSchema, f);
}
