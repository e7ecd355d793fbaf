/** The shared KV layout, identical in every implementation (see services/README.md). */
export const BUCKET = "users";

export function userKey(id: string): string {
  return `user.${id}`;
}

/** Emails are unique case-insensitively; base64url keeps any address within KV's key alphabet. */
export function emailKey(email: string): string {
  return `email.${Buffer.from(email.toLowerCase(), "utf8").toString("base64url")}`;
}
