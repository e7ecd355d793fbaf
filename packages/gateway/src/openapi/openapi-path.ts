import type { PathTemplate, Segment, Variable } from "../routes/path-template.js";
import { singular } from "./singular.js";

/** One `{name}` of an OpenAPI path: a whole template variable, or one wildcard of an expanded one. */
export interface OpenApiPathVariable {
  /** The OpenAPI parameter name. */
  name: string;
  /** The template variable it binds. */
  variable: Variable;
  /**
   * For a variable that is not one plain "*" (`{name=warehouses/*\/items/*}`, `{path=**}`): what the
   * whole value looks like, slashes included, as the template writes it and as a regular expression.
   */
  multiSegment: { template: string; pattern: string } | undefined;
  /** In the expanded form: which of that variable's wildcards it fills (from 0), and whether it is "**". */
  part: { index: number; deep: boolean } | undefined;
}

/** How a variable spanning several segments is written: see openApiPath. */
export type PathForm = "expanded" | "collapsed";

/**
 * A google.api.http template as an OpenAPI path. An OpenAPI path parameter cannot hold a "/":
 * clients percent-encode it, and an encoded slash is no segment separator to the route table. So a
 * variable spanning several segments is expanded, as grpc-gateway's OpenAPI generator does with
 * expand_slashed_path_patterns: its literals are written into the path and each of its wildcards is
 * a parameter of its own, named after the literal before it, in the singular.
 *
 *   /users/{id}                          -> /users/{id}
 *   /users/{user.id}                     -> /users/{user.id}
 *   /v1/{parent=warehouses/*}/items      -> /v1/warehouses/{warehouse}/items
 *   /v1/{name=warehouses/*\/items/*}:get  -> /v1/warehouses/{warehouse}/items/{item}:get
 *   /v1/{name=files/**}                  -> /v1/files/{file}          ("**": one parameter, the rest)
 *   /v1/{name=*\/items/*}                 -> /v1/{name}/items/{item}   (no literal before: the field)
 *
 * The collapsed form keeps such a variable one parameter whose value holds its slashes
 * (`/v1/{name}`); only a client sending those slashes unencoded reaches the route, so it is the
 * fallback for a route whose expanded path another route of the same method already has.
 *
 * A "*" or "**" outside any variable binds no field and stays in the path as written. The names of
 * expanded parameters avoid `taken` (the operation's other parameters) and each other: a name in
 * use gets a number (`shelf_2`).
 */
export function openApiPath(
  template: PathTemplate,
  form: PathForm = "expanded",
  taken: ReadonlySet<string> = new Set(),
): { path: string; variables: OpenApiPathVariable[] } {
  const { segments } = template;
  const byStart = new Map(template.variables.map((v) => [v.start, v]));
  const spans = (v: Variable): readonly Segment[] => segments.slice(v.start, v.end);
  const isPlain = (v: Variable): boolean => spans(v).length === 1 && spans(v)[0]!.kind === "wildcard";
  const expands = (v: Variable): boolean => form === "expanded" && !isPlain(v);
  // Field names stay as they are; expanded parts take what is left.
  const used = new Set([...taken, ...template.variables.filter((v) => !expands(v)).map(fieldName)]);
  const parts: string[] = [];
  const variables: OpenApiPathVariable[] = [];
  for (let i = 0; i < segments.length; ) {
    const variable = byStart.get(i);
    if (variable === undefined) {
      parts.push(segmentText(segments[i]!));
      i++;
      continue;
    }
    const spanned = spans(variable);
    const multiSegment = isPlain(variable) ? undefined : { template: spanned.map(segmentText).join("/"), pattern: segmentsPattern(spanned) };
    if (!expands(variable)) {
      parts.push(`{${fieldName(variable)}}`);
      variables.push({ name: fieldName(variable), variable, multiSegment, part: undefined });
    } else {
      let index = 0;
      for (const [j, segment] of spanned.entries()) {
        if (segment.kind === "literal") {
          parts.push(segment.value);
          continue;
        }
        const before = spanned[j - 1];
        const name = unused(before?.kind === "literal" ? singular(before.value) : fieldName(variable), used);
        used.add(name);
        parts.push(`{${name}}`);
        variables.push({ name, variable, multiSegment, part: { index: index++, deep: segment.kind === "deep" } });
      }
    }
    i = Math.max(variable.end, i + 1);
  }
  const path = `/${parts.join("/")}${template.verb === undefined ? "" : `:${template.verb}`}`;
  return { path, variables };
}

function fieldName(variable: Variable): string {
  return variable.fieldPath.join(".");
}

function unused(name: string, used: ReadonlySet<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}_${n}`;
  return candidate;
}

function segmentText(segment: Segment): string {
  return segment.kind === "literal" ? segment.value : segment.kind === "wildcard" ? "*" : "**";
}

/** What matchTemplate accepts for these segments: "*" one non-empty segment, "**" any rest, even none. */
function segmentsPattern(segments: readonly Segment[]): string {
  let pattern = "";
  for (const [i, segment] of segments.entries()) {
    if (segment.kind === "deep") {
      pattern += i === 0 ? ".*" : "(?:/.*)?";
      continue;
    }
    if (i > 0) pattern += "/";
    pattern += segment.kind === "literal" ? escapeRegExp(segment.value) : "[^/]+";
  }
  return `^${pattern}$`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
