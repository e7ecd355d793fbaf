/**
 * Resource names (AIP-122): "warehouses/{warehouse}" and "warehouses/{warehouse}/items/{item}".
 * Both ids are lowercase letters, digits and "-", so each is a single KV key token as it stands.
 */
export const ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface ItemName {
  readonly warehouse: string;
  readonly item: string;
}

export function isId(text: string): boolean {
  return ID.test(text);
}

/** The warehouse id of "warehouses/{warehouse}", or undefined when the text is not one. */
export function parseWarehouseName(text: string): string | undefined {
  const parts = text.split("/");
  if (parts.length !== 2 || parts[0] !== "warehouses" || !isId(parts[1]!)) return undefined;
  return parts[1];
}

/** The ids of "warehouses/{warehouse}/items/{item}", or undefined when the text is not one. */
export function parseItemName(text: string): ItemName | undefined {
  const parts = text.split("/");
  if (parts.length !== 4 || parts[0] !== "warehouses" || parts[2] !== "items") return undefined;
  if (!isId(parts[1]!) || !isId(parts[3]!)) return undefined;
  return { warehouse: parts[1]!, item: parts[3]! };
}

export function itemName(name: ItemName): string {
  return `warehouses/${name.warehouse}/items/${name.item}`;
}

/** The KV bucket every inventory implementation shares. */
export const BUCKET = "inventory";
export const ITEM_PREFIX = "item.";

export function itemKey(name: ItemName): string {
  return `${ITEM_PREFIX}${name.warehouse}.${name.item}`;
}

/** The key filter for every item of one warehouse, or of all warehouses. */
export function itemKeyFilter(warehouse: string | undefined): string {
  return warehouse === undefined ? `${ITEM_PREFIX}>` : `${ITEM_PREFIX}${warehouse}.*`;
}

export function nameOfKey(key: string): ItemName | undefined {
  if (!key.startsWith(ITEM_PREFIX)) return undefined;
  const [warehouse, item, ...rest] = key.slice(ITEM_PREFIX.length).split(".");
  if (warehouse === undefined || item === undefined || rest.length > 0) return undefined;
  return { warehouse, item };
}

/** Listings page by name; the token is base64url of the last name returned, opaque to clients. */
export function pageToken(name: string): string {
  return Buffer.from(name, "utf8").toString("base64url");
}

/**
 * The item name a page token carries, or undefined when it is not a token of ours. The contract
 * holds a token to base64url of at most 192 characters, the longest item name's (144).
 */
export function parsePageToken(token: string): ItemName | undefined {
  return parseItemName(Buffer.from(token, "base64url").toString("utf8"));
}
