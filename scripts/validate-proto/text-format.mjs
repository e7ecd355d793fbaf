// Option values in protobuf text format, as .proto source writes them: `(buf.validate.field).string = { min_len: 1 }`.
import { getExtension, hasExtension, isFieldSet, ScalarType } from "@bufbuild/protobuf";

// A string or bytes literal; everything outside printable ASCII as octal escapes of its UTF-8 bytes.
export function quote(s) {
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

function single(registry, field, v, indent) {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "scalar") return scalar(field.scalar, v);
  if (kind === "enum") {
    const value = field.enum.values.find((e) => e.number === v);
    return value ? value.name : String(v);
  }
  if (kind === "message") return aggregate(registry, field.message, v, indent);
  throw new Error(`unsupported field kind ${field.fieldKind} (${field.name})`);
}

// A message as a text format aggregate: { name: value ... }.
function aggregate(registry, schema, msg, indent) {
  const inner = indent + "  ";
  const lines = [];
  for (const field of schema.fields) {
    if (!isFieldSet(msg, field)) continue;
    if (field.fieldKind === "map") throw new Error(`map in option value: ${field.name}`);
    const v = field.oneof ? msg[field.oneof.localName].value : msg[field.localName];
    const sep = field.fieldKind === "message" || field.listKind === "message" ? " " : ": ";
    if (field.fieldKind === "list") {
      for (const e of v) lines.push(`${inner}${field.name}${sep}${single(registry, field, e, inner)}`);
    } else {
      lines.push(`${inner}${field.name}${sep}${single(registry, field, v, inner)}`);
    }
  }
  for (const ext of extensionsOf(registry, schema, msg)) {
    throw new Error(`extension ${ext.typeName} inside an option value is not supported`);
  }
  if (lines.length === 0) return "{}";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function extensionsOf(registry, schema, msg) {
  const found = [];
  for (const type of registry) {
    if (type.kind === "extension" && type.extendee.typeName === schema.typeName && hasExtension(msg, type)) {
      found.push(type);
    }
  }
  return found;
}

// An options message as a list of "name = value" (standard fields and extensions), each value in
// text format. Repeated fields give one entry per element. `registry` resolves the extensions.
export function optionAssignments(registry, schema, opts, indent, skip = []) {
  if (!opts) return [];
  // Decode extensions from unknown fields with our registry.
  const out = [];
  for (const field of schema.fields) {
    if (skip.includes(field.name) || field.name === "uninterpreted_option") continue;
    if (!isFieldSet(opts, field)) continue;
    const v = opts[field.localName];
    if (field.fieldKind === "list") {
      for (const e of v) out.push(`${field.name} = ${single(registry, field, e, indent)}`);
    } else {
      out.push(`${field.name} = ${single(registry, field, v, indent)}`);
    }
  }
  for (const ext of extensionsOf(registry, schema, opts)) {
    const v = getExtension(opts, ext);
    if (ext.fieldKind === "list") {
      for (const e of v) out.push(`(${ext.typeName}) = ${single(registry, ext, e, indent)}`);
    } else {
      out.push(`(${ext.typeName}) = ${single(registry, ext, v, indent)}`);
    }
  }
  return out;
}
