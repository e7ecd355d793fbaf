/** Paragraphs joined by a blank line, leaving out the missing ones; undefined when none is left. */
export function joinText(...parts: (string | undefined)[]): string | undefined {
  const text = parts.filter((p) => p !== undefined && p !== "").join("\n\n");
  return text === "" ? undefined : text;
}
