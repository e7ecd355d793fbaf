/**
 * google.api.http path templates, compiled once at start-up:
 *
 *   Template = "/" [ Segments ] [ ":" Verb ] ;
 *   Segments = Segment { "/" Segment } ;
 *   Segment  = "*" | "**" | LITERAL | Variable ;
 *   Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *
 * A variable without "=" matches one segment. "**" matches the rest of the path and must come last.
 */

export type Segment =
  | { kind: "literal"; value: string }
  | { kind: "wildcard" }
  | { kind: "deep" };

export interface Variable {
  /** Proto field path, e.g. ["user", "id"]. */
  fieldPath: string[];
  /** Index of its first segment and the number of segments it spans ("**": to the end). */
  start: number;
  end: number;
}

export interface PathTemplate {
  readonly source: string;
  readonly segments: readonly Segment[];
  readonly variables: readonly Variable[];
  readonly verb: string | undefined;
}

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseTemplate(source: string): PathTemplate {
  if (!source.startsWith("/")) throw new TemplateError(`path template "${source}" must start with "/"`);
  let rest = source.slice(1);
  let verb: string | undefined;
  // As grpc-gateway's parser: the verb is in the text after the last "/" or "}". Right after a
  // variable it starts at the first ":" (so "{uuid}:custom:custom" has the verb "custom:custom"),
  // after a literal at the last.
  const afterBrace = rest.lastIndexOf("}") > rest.lastIndexOf("/");
  const tailStart = Math.max(rest.lastIndexOf("}"), rest.lastIndexOf("/")) + 1;
  const tail = rest.slice(tailStart);
  const colon = afterBrace ? tail.indexOf(":") : tail.lastIndexOf(":");
  if (colon !== -1 && (!afterBrace || colon === 0)) {
    verb = tail.slice(colon + 1);
    rest = rest.slice(0, tailStart + colon);
    if (verb === "" || /[{}*/]/.test(verb)) throw new TemplateError(`path template "${source}" has an invalid verb`);
  }

  const segments: Segment[] = [];
  const variables: Variable[] = [];
  for (const part of splitTopLevel(rest, source)) {
    if (part.startsWith("{")) {
      if (!part.endsWith("}")) throw new TemplateError(`path template "${source}": unclosed variable`);
      const inner = part.slice(1, -1);
      const eq = inner.indexOf("=");
      const path = eq === -1 ? inner : inner.slice(0, eq);
      const fieldPath = path.split(".");
      if (!fieldPath.every((p) => IDENT.test(p))) {
        throw new TemplateError(`path template "${source}": "${path}" is not a field path`);
      }
      const start = segments.length;
      const sub = eq === -1 ? ["*"] : inner.slice(eq + 1).split("/");
      for (const s of sub) segments.push(parseSegment(s, source, true));
      variables.push({ fieldPath, start, end: segments.length });
    } else {
      segments.push(parseSegment(part, source, false));
    }
  }
  const deep = segments.findIndex((s) => s.kind === "deep");
  if (deep !== -1 && deep !== segments.length - 1) {
    throw new TemplateError(`path template "${source}": "**" must be the last segment`);
  }
  return { source, segments, variables, verb };
}

function splitTopLevel(rest: string, source: string): string[] {
  if (rest === "") return [];
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of rest) {
    if (ch === "{") depth++;
    if (ch === "}") depth--;
    if (depth < 0 || depth > 1) throw new TemplateError(`path template "${source}": unbalanced braces`);
    if (ch === "/" && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (depth !== 0) throw new TemplateError(`path template "${source}": unbalanced braces`);
  parts.push(current);
  return parts;
}

function parseSegment(text: string, source: string, inVariable: boolean): Segment {
  if (text === "*") return { kind: "wildcard" };
  if (text === "**") return { kind: "deep" };
  if (text === "" || /[{}*]/.test(text)) {
    throw new TemplateError(`path template "${source}": invalid segment "${text}"${inVariable ? " in a variable" : ""}`);
  }
  return { kind: "literal", value: text };
}

/**
 * Matches a request path against a template and returns the variable values (percent-decoded;
 * a multi-segment value keeps its "/"), or undefined when it does not match.
 */
export function matchTemplate(template: PathTemplate, path: string): Map<string, string> | undefined {
  let rest = path.startsWith("/") ? path.slice(1) : path;
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!rest.endsWith(suffix)) return undefined;
    rest = rest.slice(0, -suffix.length);
  }
  const parts = rest === "" ? [] : rest.split("/");
  const { segments } = template;
  const hasDeep = segments.at(-1)?.kind === "deep";
  if (hasDeep ? parts.length < segments.length - 1 : parts.length !== segments.length) return undefined;

  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === "deep") break;
    const part = parts[i]!;
    // A "*" matches any one segment, an empty one included ("/echo/" binds ""), as in grpc-gateway.
    if (segment.kind === "literal" && part !== segment.value) return undefined;
  }

  return bindVariables(template, parts);
}

/**
 * The variable values of a template from the path's segments (the verb taken off) once they
 * matched it: percent-decoded, a multi-segment value keeping its "/"; undefined when one does not
 * decode.
 */
export function bindVariables(template: PathTemplate, parts: readonly string[]): Map<string, string> | undefined {
  const { segments } = template;
  const values = new Map<string, string>();
  for (const variable of template.variables) {
    const end = segments[variable.end - 1]?.kind === "deep" ? parts.length : variable.end;
    let value = "";
    try {
      for (let i = variable.start; i < end; i++) value += (i === variable.start ? "" : "/") + decodeURIComponent(parts[i]!);
    } catch {
      return undefined;
    }
    values.set(variable.fieldPath.join("."), value);
  }
  return values;
}

/**
 * Orders templates from most to least specific, segment by segment (literal before "*" before "**"),
 * then a template with a longer verb before one with a shorter or none, so matching never depends
 * on declaration order.
 */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: Segment | undefined): number =>
    s === undefined ? -1 : s.kind === "literal" ? 2 : s.kind === "wildcard" ? 1 : 0;
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const diff = rank(b.segments[i]) - rank(a.segments[i]);
    if (diff !== 0) return diff;
  }
  // A longer verb first: "custom:custom" is a more specific suffix than "custom", which it also ends with.
  return (b.verb?.length ?? -1) - (a.verb?.length ?? -1);
}

/** Two templates conflict when they match exactly the same paths. */
export function shapeOf(template: PathTemplate): string {
  const body = template.segments
    .map((s) => (s.kind === "literal" ? `=${s.value}` : s.kind === "wildcard" ? "*" : "**"))
    .join("/");
  return template.verb === undefined ? body : `${body}:${template.verb}`;
}
