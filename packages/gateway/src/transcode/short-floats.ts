import { ScalarType, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";

/**
 * A `float` field holds a 32-bit value; written as a double it shows the noise of the conversion
 * (1.1 becomes 1.100000023841858). Go's protojson, and so grpc-gateway, writes the shortest decimal
 * that reads back as the same float32: this replaces each float value with that decimal before
 * protobuf-es writes the JSON. Messages without a float field anywhere are not walked.
 */
export function shortFloats(desc: DescMessage, message: Message): void {
  if (hasFloats(desc)) walk(reflect(desc, message));
}

function walk(r: ReflectMessage): void {
  for (const field of r.fields) {
    if (!r.isSet(field)) continue;
    switch (field.fieldKind) {
      case "scalar":
        if (field.scalar === ScalarType.FLOAT) r.set(field, shortestFloat32(r.get(field) as number));
        break;
      case "list": {
        const list = r.get(field);
        if (field.listKind === "scalar" && field.scalar === ScalarType.FLOAT) {
          for (let i = 0; i < list.size; i++) list.set(i, shortestFloat32(list.get(i) as number));
        } else if (field.listKind === "message" && hasFloats(field.message)) {
          for (const item of list) walk(item as ReflectMessage);
        }
        break;
      }
      case "map": {
        const map = r.get(field);
        if (field.mapKind === "scalar" && field.scalar === ScalarType.FLOAT) {
          for (const [key, value] of map) map.set(key, shortestFloat32(value as number));
        } else if (field.mapKind === "message" && hasFloats(field.message)) {
          for (const [, value] of map) walk(value as ReflectMessage);
        }
        break;
      }
      case "message":
        if (hasFloats(field.message)) walk(r.get(field));
        break;
    }
  }
}

/** The shortest decimal that rounds to the same float32 (at most 9 significant digits suffice). */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

const floats = new WeakMap<DescMessage, boolean>();

function hasFloats(desc: DescMessage, seen = new Set<DescMessage>()): boolean {
  const known = floats.get(desc);
  if (known !== undefined) return known;
  // A recursive message is answered by its other fields.
  if (seen.has(desc)) return false;
  seen.add(desc);
  const found = desc.fields.some((f) => {
    if ((f.fieldKind === "scalar" || f.fieldKind === "list" || f.fieldKind === "map") && f.scalar === ScalarType.FLOAT) return true;
    const sub = f.fieldKind === "message" ? f.message : f.fieldKind === "list" || f.fieldKind === "map" ? f.message : undefined;
    return sub !== undefined && hasFloats(sub, seen);
  });
  if (seen.size === 1 || found) floats.set(desc, found);
  return found;
}
