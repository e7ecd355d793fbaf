import { ScalarType, type DescEnum, type DescField } from "@bufbuild/protobuf";
import { GatewayError } from "../errors.js";
import { WRAPPED_SCALARS } from "./well-known-types.js";

/**
 * Path and query values are text. They are read as grpc-gateway's runtime reads them (Go's
 * strconv), and handed to protobuf-es as proto3 JSON, which would otherwise take more (hexadecimal
 * integers, any enum number) and less (`t`, `inf`) than grpc-gateway does.
 */
export function textToJson(field: DescField, text: string, name: string): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return scalarText(field.scalar, text, name);
    case "enum":
      return enumText(field.enum, text, name);
    case "list":
      if (field.listKind === "scalar") return scalarText(field.scalar, text, name);
      if (field.listKind === "enum") return enumText(field.enum, text, name);
      return messageText(field.message.typeName, text, name);
    case "message":
      return messageText(field.message.typeName, text, name);
    case "map":
      throw new GatewayError("INVALID_FIELD", `${name} is a map: set one entry as ${name}[key]=value`, name);
  }
}

/** A map entry from `field[key]=value`: the key as its scalar type reads it, the value as a field. */
export function mapEntryText(field: DescField & { fieldKind: "map" }, key: string, text: string, name: string): [string, unknown] {
  // proto3 JSON map keys are strings; the key is checked as its type but passed as text.
  scalarText(field.mapKey, key, `${name}[${key}]`);
  const value =
    field.mapKind === "scalar"
      ? scalarText(field.scalar, text, `${name}[${key}]`)
      : field.mapKind === "enum"
        ? enumText(field.enum, text, `${name}[${key}]`)
        : messageText(field.message.typeName, text, `${name}[${key}]`);
  return [key, value];
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(inf|infinity)$/i;

function scalarText(type: ScalarType, text: string, name: string): unknown {
  switch (type) {
    case ScalarType.BOOL:
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      throw invalid(name, text, "a boolean (true, false, 1, 0, t, f)");
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return text;
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      if (INFINITY.test(text)) return text.startsWith("-") ? "-Infinity" : "Infinity";
      if (/^nan$/i.test(text)) return "NaN";
      if (!DECIMAL.test(text)) throw invalid(name, text, "a decimal number");
      return text.startsWith("+") ? text.slice(1) : text;
    default:
      // Every integer type: base 10 only, so "0x10" is refused as grpc-gateway refuses it; the range
      // is protobuf-es's check.
      if (!INTEGER.test(text)) throw invalid(name, text, "a base-10 integer");
      return text.startsWith("+") ? text.slice(1) : text;
  }
}

function enumText(desc: DescEnum, text: string, name: string): unknown {
  if (desc.values.some((v) => v.name === text)) return text;
  if (INTEGER.test(text)) {
    const number = Number(text);
    if (desc.values.some((v) => v.number === number)) return number;
  }
  throw invalid(name, text, `a value of ${desc.typeName}`);
}


/**
 * Message fields given as text: the wrappers as their scalar, and the well-known types whose JSON
 * is a string (FieldMask, Timestamp, Duration) as that string.
 */
function messageText(typeName: string, text: string, name: string): unknown {
  const wrapped = WRAPPED_SCALARS[typeName];
  if (wrapped !== undefined) return scalarText(wrapped, text, name);
  if (typeName === "google.protobuf.FieldMask") {
    return text
      .split(",")
      .map((path) => path.split(".").map(lowerCamel).join("."))
      .join(",");
  }
  return text;
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function invalid(name: string, text: string, expected: string): GatewayError {
  return new GatewayError("INVALID_FIELD", `${name}: "${text}" is not ${expected}`, name);
}
