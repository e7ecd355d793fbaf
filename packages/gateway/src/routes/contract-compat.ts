import type { DescField, DescMessage, DescService } from "@bufbuild/protobuf";

/**
 * Why two versions of one service's contract cannot be served side by side, or nothing when they
 * can: the RPCs both have must take and return the same types, and every field both have (by
 * number) must keep its name, kind and type. Added RPCs and fields are compatible.
 */
export function incompatibilities(a: DescService, b: DescService): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const ma of a.methods) {
    const mb = b.methods.find((m) => m.name === ma.name);
    if (mb === undefined) continue;
    if (ma.input.typeName !== mb.input.typeName || ma.output.typeName !== mb.output.typeName) {
      problems.push(`${a.typeName}.${ma.name} changed its request or reply type`);
      continue;
    }
    compareMessages(ma.input, mb.input, problems, seen);
    compareMessages(ma.output, mb.output, problems, seen);
  }
  return problems;
}

function compareMessages(a: DescMessage, b: DescMessage, problems: string[], seen: Set<string>): void {
  if (seen.has(a.typeName)) return;
  seen.add(a.typeName);
  for (const fa of a.fields) {
    const fb = b.fields.find((f) => f.number === fa.number);
    if (fb === undefined) continue;
    const [sa, sb] = [shape(fa), shape(fb)];
    if (fa.name !== fb.name || sa !== sb) {
      problems.push(`${a.typeName} field ${fa.number} is ${fa.name} (${sa}) in one and ${fb.name} (${sb}) in the other`);
      continue;
    }
    const [na, nb] = [nested(fa), nested(fb)];
    if (na !== undefined && nb !== undefined) compareMessages(na, nb, problems, seen);
  }
}

function shape(field: DescField): string {
  switch (field.fieldKind) {
    case "scalar":
      return `scalar ${field.scalar}`;
    case "enum":
      return `enum ${field.enum.typeName}`;
    case "message":
      return `message ${field.message.typeName}`;
    case "list":
      return `list ${field.listKind} ${field.scalar ?? field.enum?.typeName ?? field.message?.typeName}`;
    case "map":
      return `map ${field.mapKey} ${field.mapKind} ${field.scalar ?? field.enum?.typeName ?? field.message?.typeName}`;
  }
}

function nested(field: DescField): DescMessage | undefined {
  if (field.fieldKind === "message") return field.message;
  if (field.fieldKind === "list" && field.listKind === "message") return field.message;
  if (field.fieldKind === "map" && field.mapKind === "message") return field.message;
  return undefined;
}
