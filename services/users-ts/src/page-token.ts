import { MAX_ID_LENGTH } from "./keys.js";

/** base64url (no padding) of the longest id: no token of ours is longer. */
export const MAX_PAGE_TOKEN_LENGTH = Math.ceil((MAX_ID_LENGTH * 4) / 3);

/**
 * A page token is base64url (no padding) of the last id of the previous page: opaque to clients,
 * but the same in every implementation, so one continues a listing another began.
 */
export function encodePageToken(lastId: string): string {
  return Buffer.from(lastId, "utf8").toString("base64url");
}

/** The id a token continues after, or undefined when it is not a token of ours. */
export function decodePageToken(token: string, isId: (id: string) => boolean): string | undefined {
  if (token.length > MAX_PAGE_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const id = Buffer.from(token, "base64url").toString("utf8");
  return isId(id) && encodePageToken(id) === token ? id : undefined;
}
