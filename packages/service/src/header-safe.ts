/** Messages may quote client input (an id from a URL); a header value cannot hold control characters. */
export function headerSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}
