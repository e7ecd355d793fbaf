import {
  AdjustmentReason,
  StockStatus,
  type AdjustStockRequest,
  type CreateItemRequest,
  type Item,
  type ListItemsRequest,
  type StorageLocation,
  type UpdateItemRequest,
} from "@switchyard/contracts";
import { ServiceError } from "@switchyard/service";
import { parseItemName, parsePageToken, parseWarehouseName, type ItemName } from "./names.js";

export const MAX_DISPLAY_NAME = 200;
export const MAX_TAGS = 10;
export const MAX_TAG = 32;
export const MAX_LOCATION_PART = 16;
export const MAX_SHELF = 99;
export const MAX_NOTE = 200;
/** One adjustment moves at most this many units either way; stock never exceeds MAX_QUANTITY. */
export const MAX_DELTA = 1_000_000_000n;
export const MAX_QUANTITY = 1_000_000_000_000n;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const SKU = /^[A-Z0-9][A-Z0-9-]{0,63}$/;

/** The fields of Item an UpdateItem may name, in the order they are checked. */
export const UPDATABLE = ["sku", "display_name", "reorder_point", "tags", "location"] as const;
export type UpdatablePath = (typeof UPDATABLE)[number];
const OUTPUT_ONLY = new Set(["name", "stock_status", "create_time", "update_time", "version"]);

export function invalid(field: string, message: string): ServiceError {
  return new ServiceError("INVALID_ARGUMENT", message, field);
}

// The contract (inventory.proto) states the form of every name, parent and id a request carries,
// and the SDK checks those rules before a handler runs: what is left here is what its rules do not
// say (the item's fields, whose checks depend on the update mask, and the stock rules).

/** The ids of an item name the contract's rule has already held to warehouses/{warehouse}/items/{item}. */
export function checkedItemName(text: string): ItemName {
  const name = parseItemName(text);
  if (name === undefined) throw new Error(`"${text.slice(0, 200)}" passed the contract's rule but is not an item name`);
  return name;
}

/** The warehouse id of a parent the contract's rule has already held to warehouses/{warehouse}. */
function checkedWarehouse(parent: string): string {
  const warehouse = parseWarehouseName(parent);
  if (warehouse === undefined) throw new Error(`"${parent.slice(0, 200)}" passed the contract's rule but is not a warehouse name`);
  return warehouse;
}

export function validateCreateItem(request: CreateItemRequest): { warehouse: string; item: Item } {
  const warehouse = checkedWarehouse(request.parent);
  const { item } = request;
  if (item === undefined) throw invalid("item", "item is required");
  // In the order of Item's fields.
  checkField(item, "sku");
  checkField(item, "display_name");
  if (item.quantity < 0n) throw invalid("item.quantity", "item.quantity must not be negative");
  if (item.quantity > MAX_QUANTITY) throw invalid("item.quantity", `item.quantity must be at most ${MAX_QUANTITY}`);
  checkField(item, "reorder_point");
  checkField(item, "tags");
  checkField(item, "location");
  return { warehouse, item };
}

/** The rule of one updatable field of the item, reported under `item.<path>`. */
export function checkField(item: Item, path: UpdatablePath): void {
  const field = `item.${path}`;
  switch (path) {
    case "sku":
      if (item.sku === "") throw invalid(field, `${field} is required`);
      if (!SKU.test(item.sku)) throw invalid(field, `${field} must be 1 to 64 characters of A-Z, 0-9 and "-"`);
      return;
    case "display_name":
      if (item.displayName.trim() === "") throw invalid(field, `${field} is required`);
      if ([...item.displayName].length > MAX_DISPLAY_NAME) {
        throw invalid(field, `${field} must be at most ${MAX_DISPLAY_NAME} characters`);
      }
      return;
    case "reorder_point":
      if (item.reorderPoint < 0n) throw invalid(field, `${field} must not be negative`);
      if (item.reorderPoint > MAX_QUANTITY) throw invalid(field, `${field} must be at most ${MAX_QUANTITY}`);
      return;
    case "tags":
      checkTags(item.tags);
      return;
    case "location":
      if (item.location !== undefined) checkLocation(item.location);
      return;
  }
}

function checkTags(tags: readonly string[]): void {
  if (tags.length > MAX_TAGS) throw invalid("item.tags", `item.tags holds at most ${MAX_TAGS} tags`);
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.trim() === "" || [...tag].length > MAX_TAG) {
      throw invalid("item.tags", `item.tags: each tag is 1 to ${MAX_TAG} characters, not blank`);
    }
    if (seen.has(tag)) throw invalid("item.tags", `item.tags: "${tag}" is given twice`);
    seen.add(tag);
  }
}

function checkLocation(location: StorageLocation): void {
  if (location.aisle.trim() === "") throw invalid("item.location.aisle", "item.location.aisle is required");
  if ([...location.aisle].length > MAX_LOCATION_PART) {
    throw invalid("item.location.aisle", `item.location.aisle must be at most ${MAX_LOCATION_PART} characters`);
  }
  if (location.shelf < 0 || location.shelf > MAX_SHELF) {
    throw invalid("item.location.shelf", `item.location.shelf must be between 0 and ${MAX_SHELF}`);
  }
  if ([...location.bin].length > MAX_LOCATION_PART) {
    throw invalid("item.location.bin", `item.location.bin must be at most ${MAX_LOCATION_PART} characters`);
  }
}

/**
 * The fields an UpdateItem changes, checked: those of update_mask, or without one (AIP-134) the
 * updatable fields the request sets. "*" names every updatable field.
 */
export function validateUpdateItem(request: UpdateItemRequest): { name: ItemName; item: Item; paths: UpdatablePath[] } {
  // The contract requires the item and holds item.name to an item name.
  const item = request.item!;
  const name = checkedItemName(item.name);
  let paths: UpdatablePath[];
  const mask = request.updateMask?.paths ?? [];
  if (mask.length === 0) {
    paths = UPDATABLE.filter((path) => isSet(item, path));
    if (paths.length === 0) throw invalid("update_mask", "update_mask is required when no updatable field is set");
  } else if (mask.length === 1 && mask[0] === "*") {
    paths = [...UPDATABLE];
  } else {
    paths = [];
    for (const path of mask) {
      if (path === "quantity") {
        throw invalid("update_mask", `update_mask path "quantity" cannot be updated; use AdjustStock`);
      }
      // Output-only fields are ignored (AIP-203), so a client may send back the item it read.
      if (OUTPUT_ONLY.has(path)) continue;
      if (!(UPDATABLE as readonly string[]).includes(path)) {
        throw invalid("update_mask", `update_mask path "${path}" is not an updatable field of Item`);
      }
      if (!paths.includes(path as UpdatablePath)) paths.push(path as UpdatablePath);
    }
    if (paths.length === 0) throw invalid("update_mask", "update_mask names no updatable field");
  }
  for (const path of paths) checkField(item, path);
  return { name, item, paths };
}

function isSet(item: Item, path: UpdatablePath): boolean {
  switch (path) {
    case "sku":
      return item.sku !== "";
    case "display_name":
      return item.displayName !== "";
    case "reorder_point":
      return item.reorderPoint !== 0n;
    case "tags":
      return item.tags.length > 0;
    case "location":
      return item.location !== undefined;
  }
}

export interface ListQuery {
  warehouse: string | undefined;
  pageSize: number;
  after: ItemName | undefined;
  statuses: ReadonlySet<StockStatus>;
}

export function validateListItems(request: ListItemsRequest): ListQuery {
  const warehouse = request.parent === "" ? undefined : checkedWarehouse(request.parent);
  if (request.pageSize < 0 || request.pageSize > MAX_PAGE_SIZE) {
    throw invalid("page_size", `page_size must be between 0 and ${MAX_PAGE_SIZE}`);
  }
  let after: ItemName | undefined;
  if (request.pageToken !== "") {
    after = parsePageToken(request.pageToken);
    // The contract holds the token to base64url; what it decodes to, and for which listing, is ours.
    // A token is only good for the listing it came from: the same warehouse, or all of them.
    if (after === undefined || (warehouse !== undefined && after.warehouse !== warehouse)) {
      throw invalid("page_token", "page_token is not valid");
    }
  }
  const statuses = new Set<StockStatus>();
  for (const status of request.filter?.stockStatuses ?? []) {
    if (status === StockStatus.UNSPECIFIED || StockStatus[status] === undefined) {
      throw invalid("filter.stock_statuses", `filter.stock_statuses: ${status} is not a stock status`);
    }
    statuses.add(status);
  }
  return { warehouse, pageSize: request.pageSize === 0 ? DEFAULT_PAGE_SIZE : request.pageSize, after, statuses };
}

export function validateAdjustStock(request: AdjustStockRequest): ItemName {
  const name = checkedItemName(request.name);
  if (request.delta === 0n) throw invalid("delta", "delta must not be 0");
  if (request.delta > MAX_DELTA || request.delta < -MAX_DELTA) {
    throw invalid("delta", `delta must be between -${MAX_DELTA} and ${MAX_DELTA}`);
  }
  if (request.reason === AdjustmentReason.UNSPECIFIED) throw invalid("reason", "reason is required");
  if (AdjustmentReason[request.reason] === undefined) {
    throw invalid("reason", `reason ${request.reason} is not an adjustment reason`);
  }
  if ([...request.note].length > MAX_NOTE) throw invalid("note", `note must be at most ${MAX_NOTE} characters`);
  if (request.expectedVersion < 0n) throw invalid("expected_version", "expected_version must not be negative");
  return name;
}
