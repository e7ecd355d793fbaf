import { clone, create } from "@bufbuild/protobuf";
import { timestampNow, type Timestamp } from "@bufbuild/protobuf/wkt";
import { InventoryService, ItemSchema, StockStatus, type Item } from "@switchyard/contracts";
import { ServiceError, type ServiceImpl } from "@switchyard/service";
import type { ItemStore } from "./item-store.js";
import { itemName, pageToken, type ItemName } from "./names.js";
import {
  checkedItemName,
  MAX_QUANTITY,
  validateAdjustStock,
  validateCreateItem,
  validateListItems,
  validateUpdateItem,
  type UpdatablePath,
} from "./validate.js";

export const SERVICE_NAME = "inventory";
export const LANGUAGE = "typescript";

/** inventory.v1.InventoryService over the shared store. */
export function inventoryServiceImpl(store: ItemStore): ServiceImpl<typeof InventoryService.method> {
  return {
    async createItem(request, context) {
      const { warehouse, item: given } = validateCreateItem(request);
      const name: ItemName = { warehouse, item: request.itemId };
      const now = timestampNow();
      // Output-only fields are ignored, as AIP-133 asks; the opening quantity is kept.
      const item = create(ItemSchema, {
        name: itemName(name),
        sku: given.sku,
        displayName: given.displayName,
        quantity: given.quantity,
        reorderPoint: given.reorderPoint,
        stockStatus: stockStatusOf(given.quantity, given.reorderPoint),
        tags: given.tags,
        ...(given.location === undefined ? {} : { location: given.location }),
        createTime: now,
        updateTime: now,
        version: 1n,
      });
      if (!(await store.create(name, item, () => context.checkDeadline()))) {
        throw new ServiceError("ALREADY_EXISTS", `item ${item.name} already exists`, "item_id");
      }
      context.respondWith({ status: 201, headers: { location: `/v1/${item.name}` } });
      return { item };
    },

    async getItem(request) {
      const name = checkedItemName(request.name);
      const item = await store.get(name);
      if (item === undefined) throw notFound(name);
      return { item };
    },

    async listItems(request) {
      const query = validateListItems(request);
      const { tag = "", updatedAfter } = request.filter ?? {};
      const accept = (item: Item): boolean =>
        (query.statuses.size === 0 || query.statuses.has(item.stockStatus)) &&
        (tag === "" || item.tags.includes(tag)) &&
        (updatedAfter === undefined || (item.updateTime !== undefined && isAfter(item.updateTime, updatedAfter)));
      const { items, more } = await store.list(query.warehouse, query.after, query.pageSize, accept);
      const last = items.at(-1);
      return { items, nextPageToken: more && last !== undefined ? pageToken(last.name) : "" };
    },

    async updateItem(request, context) {
      const { name, item: given, paths } = validateUpdateItem(request);
      const updated = await store.update(
        name,
        (current) => {
          const next = clone(ItemSchema, current);
          for (const path of paths) copyField(next, given, path);
          next.stockStatus = stockStatusOf(next.quantity, next.reorderPoint);
          return touched(next);
        },
        () => context.checkDeadline(),
      );
      if (updated === undefined) throw notFound(name);
      return { item: updated };
    },

    async deleteItem(request, context) {
      const name = checkedItemName(request.name);
      const deleted = await store.delete(
        name,
        (current) => {
          if (current.quantity > 0n && !request.force) {
            throw new ServiceError(
              "FAILED_PRECONDITION",
              `item ${current.name} still holds ${current.quantity} units; set force to delete it anyway`,
            );
          }
        },
        () => context.checkDeadline(),
      );
      if (!deleted) throw notFound(name);
      return {};
    },

    async adjustStock(request, context) {
      const name = validateAdjustStock(request);
      let previousQuantity = 0n;
      const adjust = (current: Item): Item => {
        if (request.expectedVersion !== 0n && request.expectedVersion !== current.version) {
          throw new ServiceError(
            "ABORTED",
            `item ${current.name} is at version ${current.version}, not ${request.expectedVersion}`,
            "expected_version",
          );
        }
        const quantity = current.quantity + request.delta;
        if (quantity < 0n) {
          throw new ServiceError(
            "FAILED_PRECONDITION",
            `insufficient stock: ${current.quantity} on hand, cannot remove ${-request.delta}`,
            "delta",
          );
        }
        if (quantity > MAX_QUANTITY) {
          throw new ServiceError("OUT_OF_RANGE", `stock would exceed ${MAX_QUANTITY} units`, "delta");
        }
        previousQuantity = current.quantity;
        const next = clone(ItemSchema, current);
        next.quantity = quantity;
        next.stockStatus = stockStatusOf(quantity, next.reorderPoint);
        return touched(next);
      };
      const updated = await store.update(name, adjust, () => context.checkDeadline());
      if (updated === undefined) throw notFound(name);
      return { item: updated, previousQuantity };
    },
  };
}

export function stockStatusOf(quantity: bigint, reorderPoint: bigint): StockStatus {
  if (quantity === 0n) return StockStatus.OUT_OF_STOCK;
  if (quantity <= reorderPoint) return StockStatus.LOW_STOCK;
  return StockStatus.IN_STOCK;
}

function copyField(target: Item, source: Item, path: UpdatablePath): void {
  switch (path) {
    case "sku":
      target.sku = source.sku;
      return;
    case "display_name":
      target.displayName = source.displayName;
      return;
    case "reorder_point":
      target.reorderPoint = source.reorderPoint;
      return;
    case "tags":
      target.tags = [...source.tags];
      return;
    case "location":
      // A masked location that is absent clears it.
      target.location = source.location;
      return;
  }
}

function touched(item: Item): Item {
  item.updateTime = timestampNow();
  item.version += 1n;
  return item;
}

function isAfter(a: Timestamp, b: Timestamp): boolean {
  return a.seconds > b.seconds || (a.seconds === b.seconds && a.nanos > b.nanos);
}

function notFound(name: ItemName): ServiceError {
  return new ServiceError("NOT_FOUND", `item ${itemName(name)} not found`);
}
