import { GatewayError } from "../errors.js";

/** The request header, as node names it. */
export const IDEMPOTENCY_KEY = "idempotency-key";
/** On a response that was not produced for this request but replayed from the first one with its key. */
export const IDEMPOTENT_REPLAYED = "idempotent-replayed";

export const MAX_KEY_LENGTH = 255;

/** What a bare (unquoted) key may hold: visible ASCII but the characters Structured Fields give a meaning. */
const BARE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/**
 * The key an `Idempotency-Key` header carries, undefined when there is none. The draft makes the
 * field a Structured Field String (`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, with `\"` and `\\` as
 * its only escapes); most clients send the key bare (Stripe's style), so a value without quotes is
 * taken as it stands when it is visible ASCII without `"`, `\`, `,` or `;`. Either way the key is
 * 1 to 255 printable ASCII characters, and `"abc"` and `abc` are the same key. Parameters after the
 * string (`"abc";x=1`), lists and repeated headers are refused rather than guessed at.
 */
export function parseIdempotencyKey(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) throw invalid("send one Idempotency-Key header, not several");
    value = value[0]!;
  }
  const text = value.trim();
  const key = text.startsWith('"') ? parseString(text) : parseBare(text);
  if (key.length === 0) throw invalid("the Idempotency-Key header is empty: send 1 to 255 printable ASCII characters");
  if (key.length > MAX_KEY_LENGTH) throw invalid(`the Idempotency-Key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`);
  return key;
}

function parseBare(text: string): string {
  if (text === "" || BARE.test(text)) return text;
  throw invalid(
    'the Idempotency-Key must be a quoted string ("...") or a bare value of visible ASCII characters without spaces, quotes, backslashes, commas or semicolons',
  );
}

/** RFC 8941 §4.2.5: a String, with nothing after its closing quote. */
function parseString(text: string): string {
  let key = "";
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const next = text[++i];
      if (next !== '"' && next !== "\\") throw invalid('in a quoted Idempotency-Key, a backslash may only escape " or \\');
      key += next;
    } else if (c === 0x22) {
      if (i !== text.length - 1) throw invalid("nothing may follow the closing quote of the Idempotency-Key");
      return key;
    } else if (c < 0x20 || c > 0x7e) {
      throw invalid("the Idempotency-Key may hold printable ASCII characters only");
    } else {
      key += text[i];
    }
  }
  throw invalid("the quoted Idempotency-Key has no closing quote");
}

function invalid(detail: string): GatewayError {
  return new GatewayError("INVALID_IDEMPOTENCY_KEY", detail, IDEMPOTENCY_KEY);
}
