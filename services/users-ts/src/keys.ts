/** The shared KV layout, identical in every implementation (see services/README.md). */
export const BUCKET = "users";
export const USER_PREFIX = "user.";

/**
 * A user id is one KV key token, and short: the ids the services make (lowercase UUIDs, 36
 * characters) fit, and a client's id can never make a key (a NATS subject) longer than the server's
 * control line, which would cost the instance its connection. proto/users/v1/users.proto says the
 * same in its field rules.
 */
export const MAX_ID_LENGTH = 64;
const USER_ID = /^[-_=A-Za-z0-9]+$/;

export function userKey(id: string): string {
  return `${USER_PREFIX}${id}`;
}

/**
 * Emails are unique case-insensitively: A-Z as a-z and nothing else, as every language maps them
 * alike (emails are ASCII; toLowerCase() would also map U+212A KELVIN SIGN to "k"). base64url keeps
 * any address within KV's key alphabet.
 */
export function emailKey(email: string): string {
  return `email.${Buffer.from(asciiLowercase(email), "utf8").toString("base64url")}`;
}

function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** Whether a text can be a user id; no stored user has any other. */
export function isUserId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH && USER_ID.test(id);
}
