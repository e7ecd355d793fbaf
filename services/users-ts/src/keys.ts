/** The shared KV layout, identical in every implementation (see services/README.md). */
export const BUCKET = "users";
export const USER_PREFIX = "user.";

export function userKey(id: string): string {
  return `${USER_PREFIX}${id}`;
}

/** Emails are unique case-insensitively; base64url keeps any address within KV's key alphabet. */
export function emailKey(email: string): string {
  return `email.${Buffer.from(email.toLowerCase(), "utf8").toString("base64url")}`;
}

const KEY_TOKEN = /^[-_=A-Za-z0-9]+$/;

/** Whether an id can be one token of a KV key; no stored user has any other id. */
export function isKeyToken(id: string): boolean {
  return KEY_TOKEN.test(id);
}
