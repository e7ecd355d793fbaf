/**
 * The singular of a resource collection's name, for naming the path parameter that follows it
 * (`shelves/*` -> `{shelf}`). grpc-gateway's expand_slashed_path_patterns only drops a final "s"
 * (`shelves` -> `shelve`); these few English rules cover the plurals resource names commonly use,
 * and a word none of them fits is kept as it is.
 */
export function singular(plural: string): string {
  const rules: [suffix: string, replacement: string][] = [
    ["ies", "y"], // categories, policies
    ["lves", "lf"], // shelves, halves
    ["sses", "ss"], // addresses, classes
    ["xes", "x"], // boxes, indexes
  ];
  for (const [suffix, replacement] of rules) {
    if (plural.length > suffix.length && plural.endsWith(suffix)) return plural.slice(0, -suffix.length) + replacement;
  }
  return plural.length > 1 && plural.endsWith("s") && !plural.endsWith("ss") ? plural.slice(0, -1) : plural;
}
