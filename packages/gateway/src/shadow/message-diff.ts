import { equals, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectList, type ReflectMap, type ReflectMessage } from "@bufbuild/protobuf/reflect";

/**
 * The paths of the fields that differ between two messages of one type, in proto field names
 * (`user.last_name`). Lists and maps are compared item by item, but their paths name the field,
 * not an index or a key, so that the same field differing in many replies counts as one field.
 * A list or map of another length, or a message set on one side only, differs as a whole.
 * Well-known types (Timestamp, Duration, ...) are compared whole.
 */
export function diffMessages(schema: DescMessage, a: Message, b: Message): string[] {
  const out = new Set<string>();
  diff(reflect(schema, a), reflect(schema, b), "", out);
  return [...out];
}

function diff(a: ReflectMessage, b: ReflectMessage, prefix: string, out: Set<string>): void {
  for (const field of a.fields) {
    const path = prefix + field.name;
    switch (field.fieldKind) {
      case "scalar":
      case "enum":
        if (a.isSet(field) !== b.isSet(field) || !sameScalar(a.get(field), b.get(field))) out.add(path);
        break;
      case "message": {
        const [setA, setB] = [a.isSet(field), b.isSet(field)];
        if (setA !== setB) out.add(path);
        else if (setA) sameMessage(a.get(field), b.get(field), path, out);
        break;
      }
      case "list":
        diffList(a.get(field), b.get(field), field, path, out);
        break;
      case "map":
        diffMap(a.get(field), b.get(field), field, path, out);
        break;
    }
  }
}

function diffList(a: ReflectList, b: ReflectList, field: DescField & { fieldKind: "list" }, path: string, out: Set<string>): void {
  if (a.size !== b.size) {
    out.add(path);
    return;
  }
  for (let i = 0; i < a.size; i++) {
    if (field.listKind === "message") sameMessage(a.get(i) as ReflectMessage, b.get(i) as ReflectMessage, path, out);
    else if (!sameScalar(a.get(i), b.get(i))) out.add(path);
  }
}

function diffMap(a: ReflectMap, b: ReflectMap, field: DescField & { fieldKind: "map" }, path: string, out: Set<string>): void {
  if (a.size !== b.size) {
    out.add(path);
    return;
  }
  for (const [key, value] of a) {
    if (!b.has(key)) {
      out.add(path);
      return;
    }
    const other = b.get(key);
    if (field.mapKind === "message") sameMessage(value as ReflectMessage, other as ReflectMessage, path, out);
    else if (!sameScalar(value, other)) out.add(path);
  }
}

/** Adds the differing fields under `path`; a well-known type is one value, so it adds `path` itself. */
function sameMessage(a: ReflectMessage, b: ReflectMessage, path: string, out: Set<string>): void {
  if (a.desc.typeName.startsWith("google.protobuf.")) {
    if (!equals(a.desc, a.message, b.message)) out.add(path);
    return;
  }
  diff(a, b, `${path}.`, out);
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
  return false;
}
