import { RE2JS } from "@bufbuild/re2";

/**
 * The contract's regular expressions (`string.pattern`, CEL `matches()`) on the platform's RegExp
 * where that is provably the same match in linear time, and on the RE2 engine protovalidate uses by
 * default (@bufbuild/re2, a JavaScript port, several times slower) for the rest.
 *
 * "Provably" is kept narrow: a pattern of literals, escapes and character classes with at most one
 * quantifier (and then anchored with `^`), no group, no alternation, no `.` and no class shorthand
 * whose meaning differs between RE2 and JavaScript (`\s` is ASCII in RE2, Unicode in JavaScript).
 * Anchored, one quantified atom cannot make a backtracking engine go worse than linear; without a
 * quantifier each start position costs one step. Two quantifiers (`^[a-z]+@[a-z]+$`) go to RE2: on
 * an input that almost matches they could cost the square of its length.
 */
export function regexMatch(pattern: string, against: string): boolean {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    // RE2 throws on a pattern that is not RE2, as protovalidate's own matcher does.
    compiled = toPlatformRegExp(pattern) ?? RE2JS.compile(pattern);
    cache.set(pattern, compiled);
  }
  return compiled.test(against);
}

// Patterns come from contracts, but CEL can build one from input: bound the cache as protovalidate does.
const CACHE_LIMIT = 1024;
const cache = new Map<string, { test(input: string): boolean }>();

/** The same pattern as a JavaScript RegExp (flag `u`), or undefined when it is outside the subset. */
export function toPlatformRegExp(pattern: string): RegExp | undefined {
  let out = "";
  let quantifiers = 0;
  let i = 0;
  const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "^" || ch === "$") {
      out += ch;
      i++;
      continue;
    }
    let atom: { text: string; length: number } | undefined;
    if (ch === "[") atom = charClass(pattern, i);
    else if (ch === "\\") atom = escape(pattern, i, false);
    else if (!"()|.*+?{}]".includes(ch)) atom = { text: /[A-Za-z0-9 ]/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`, length: ch.length };
    if (atom === undefined) return undefined;
    out += atom.text;
    i += atom.length;
    const q = quantifier.exec(pattern.slice(i));
    if (q !== null) {
      // Unanchored, even one quantified atom followed by more can cost a pass per start position.
      if (++quantifiers > 1 || !pattern.startsWith("^")) return undefined;
      out += q[0];
      i += q[0].length;
    }
  }
  try {
    return new RegExp(out, "u");
  } catch {
    return undefined;
  }
}

/** A `[...]` class: literals, ranges and the escapes below; no nested or named classes. */
function charClass(pattern: string, start: number): { text: string; length: number } | undefined {
  let i = start + 1;
  let text = "[";
  if (pattern[i] === "^") {
    text += "^";
    i++;
  }
  let first = true;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "]" && !first) return { text: `${text}]`, length: i + 1 - start };
    first = false;
    if (ch === "[") return undefined;
    if (ch === "\\") {
      const e = escape(pattern, i, true);
      if (e === undefined) return undefined;
      text += e.text;
      i += e.length;
    } else if (ch === "-") {
      text += "-";
      i++;
    } else {
      const cp = pattern.codePointAt(i)!;
      text += /[A-Za-z0-9 ]/.test(ch) ? ch : `\\u{${cp.toString(16)}}`;
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return undefined;
}

const SIMPLE: Record<string, string> = { t: "\\t", n: "\\n", r: "\\r", f: "\\f", v: "\\v", d: "\\d", D: "\\D", w: "\\w", W: "\\W" };

/** An escape both engines read the same way: control characters, hexadecimal code points, ASCII \d \w, escaped punctuation. */
function escape(pattern: string, start: number, inClass: boolean): { text: string; length: number } | undefined {
  const next = pattern[start + 1];
  if (next === undefined) return undefined;
  const simple = SIMPLE[next];
  // \d and \w are ASCII in both engines (JavaScript without the i flag); \b is not allowed in a class.
  if (simple !== undefined) return { text: simple, length: 2 };
  if (next === "x") {
    const braced = /^\\x\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(start));
    if (braced !== null) return { text: `\\u{${braced[1]}}`, length: braced[0].length };
    const two = /^\\x([0-9A-Fa-f]{2})/.exec(pattern.slice(start));
    if (two !== null) return { text: `\\x${two[1]}`, length: 4 };
    return undefined;
  }
  // In a `u` RegExp, "-" may be escaped only inside a class.
  if (next === "-") return { text: inClass ? "\\-" : "-", length: 2 };
  if (/[\\^$.|?*+()[\]{}/]/.test(next)) return { text: `\\${next}`, length: 2 };
  return undefined;
}
