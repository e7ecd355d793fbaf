import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RE2JS } from "@bufbuild/re2";
import { regexMatch, toPlatformRegExp } from "@switchyard/protocol";

// The platform RegExp stands in for RE2 only where both give the same answer: checked here against
// RE2 itself on inputs chosen to tell them apart (Unicode spaces, surrogate pairs, newlines).
const inputs = [
  "", "a", "Jane", " ", "\t", "\n", "a\n", "\n\n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b",
  "x y", "😀", "e\u0301", "İ", "abc-_=09", "a.b@c.d", "a@b", "@", "A1", "__", "-", "=", "a b", "\\", "[", "]",
];

const patterns = [
  "^[-_=A-Za-z0-9]+$",
  "^[-_A-Za-z0-9]+$",
  "[^\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]",
  "^[a-z]{2,3}$",
  "^\\d+$",
  "^\\w*$",
  "^[\\x41-\\x5A]?$",
  "abc",
  "\\.",
  "^a\\-b$",
  "[😀]",
];

const re2RegexMatch = (pattern: string, input: string): boolean => RE2JS.compile(pattern).test(input);

describe("regular expressions of the contract on the platform RegExp", () => {
  for (const pattern of patterns) {
    it(`${pattern}: the same answers as RE2`, () => {
      assert.ok(toPlatformRegExp(pattern), "taken by the platform RegExp");
      for (const input of inputs) assert.equal(regexMatch(pattern, input), re2RegexMatch(pattern, input), JSON.stringify(input));
    });
  }

  it("leaves to RE2 what could backtrack or reads differently", () => {
    for (const pattern of [
      "^[\\x21-\\x3F\\x41-\\x7E]+@[\\x21-\\x3F\\x41-\\x7E]+\\.[\\x21-\\x3F\\x41-\\x7E]+$", // two quantifiers and more
      "[a-z]+x", // unanchored, quantified
      "^a.b$", // "." differs on line terminators
      "^\\s+$", // \s: ASCII in RE2, Unicode in JavaScript
      "^(a|b)$", // groups and alternation
      "^[[:alpha:]]+$", // POSIX classes
      "(?i)^a$", // flags
      "^\\pL$",
    ]) {
      assert.equal(toPlatformRegExp(pattern), undefined, pattern);
      for (const input of inputs) assert.equal(regexMatch(pattern, input), re2RegexMatch(pattern, input), `${pattern} ${JSON.stringify(input)}`);
    }
  });
});
