import type { PathTemplate, Segment, Variable } from "../routes/path-template.js";

/** One `{name}` of an OpenAPI path: a whole template variable, or one segment of an expanded one. */
export interface OpenApiPathVariable {
  /** The OpenAPI parameter name; the proto field path (`user.id`) unless renamed (see PathItems). */
  name: string;
  /** The template variable it binds. */
  variable: Variable;
  /**
   * For a variable spanning more than one segment (`{name=warehouses/*\/items/*}`): what the whole
   * value looks like, slashes included, as the template writes it and as a regular expression.
   */
  multiSegment: { template: string; pattern: string } | undefined;
  /** In an expanded path, the one wildcard of that variable this parameter fills (1-based). */
  part: { index: number; count: number; deep: boolean } | undefined;
}

/**
 * A google.api.http template as an OpenAPI path:
 *
 *   /users/{id}                          -> /users/{id}
 *   /users/{user.id}                     -> /users/{user.id}
 *   /v1/{name=warehouses/*\/items/*}     -> /v1/{name}      (the value holds slashes)
 *   /v1/{name=warehouses/*}:adjustStock  -> /v1/{name}:adjustStock
 *
 * A "*" or "**" outside any variable binds no field and stays in the path as written.
 *
 * `expand` writes a multi-segment variable's literals into the path and each of its wildcards as a
 * parameter of its own (`/v1/warehouses/{name.1}/items/{name.2}`): the form used when the plain one
 * would collide with another route's path (`/v1/{name=shelves/*}` is `/v1/{name}` too).
 */
export function openApiPath(template: PathTemplate, expand = false): { path: string; variables: OpenApiPathVariable[] } {
  const { segments } = template;
  const byStart = new Map(template.variables.map((v) => [v.start, v]));
  const parts: string[] = [];
  const variables: OpenApiPathVariable[] = [];
  for (let i = 0; i < segments.length; ) {
    const variable = byStart.get(i);
    if (variable === undefined) {
      parts.push(segmentText(segments[i]!));
      i++;
      continue;
    }
    const name = variable.fieldPath.join(".");
    const spanned = segments.slice(variable.start, variable.end);
    const multiSegment =
      spanned.length === 1 && spanned[0]!.kind === "wildcard"
        ? undefined
        : { template: spanned.map(segmentText).join("/"), pattern: segmentsPattern(spanned) };
    if (multiSegment === undefined || !expand) {
      parts.push(`{${name}}`);
      variables.push({ name, variable, multiSegment, part: undefined });
    } else {
      const count = spanned.filter((s) => s.kind !== "literal").length;
      let index = 0;
      for (const segment of spanned) {
        if (segment.kind === "literal") {
          parts.push(segment.value);
          continue;
        }
        index++;
        const partName = count === 1 ? name : `${name}.${index}`;
        parts.push(`{${partName}}`);
        variables.push({ name: partName, variable, multiSegment, part: { index, count, deep: segment.kind === "deep" } });
      }
    }
    i = Math.max(variable.end, i + 1);
  }
  const path = `/${parts.join("/")}${template.verb === undefined ? "" : `:${template.verb}`}`;
  return { path, variables };
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
