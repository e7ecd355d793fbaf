import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary } from "@bufbuild/protobuf";
import { UserSchema, UserService, type ListUsersResponse, type User } from "@switchyard/contracts";
import { expectError, expectOk } from "../expect.js";
import { byIdBytes, LONG, MAX_ID, newIdNamespace, pageToken, storeUsers, userKey, type IdNamespace } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { listUsers, deleteUser } = UserService.method;

/** The page size ListUsers uses when page_size is 0, and the largest one it accepts. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** Reads one page; the reply must be a success. */
export async function listPage(ctx: UsersSuiteContext, pageSize: number, token: string): Promise<ListUsersResponse> {
  return expectOk(listUsers, await ctx.rpc.call(listUsers, { pageSize, pageToken: token }));
}

/**
 * Pages from `token` to the end. Checks every page on the way: a page with a next_page_token is
 * full and its token is base64url (no padding) of its last id; the last page has an empty token.
 */
export async function listToEnd(ctx: UsersSuiteContext, pageSize: number, token: string): Promise<ListUsersResponse[]> {
  const pages: ListUsersResponse[] = [];
  const size = pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
  for (let next = token; ; ) {
    const page = await listPage(ctx, pageSize, next);
    pages.push(page);
    assert.ok(page.users.length <= size, `page ${pages.length} has ${page.users.length} users, more than ${size}`);
    if (page.nextPageToken === "") return pages;
    const last = page.users.at(-1);
    assert.equal(page.users.length, size, `page ${pages.length} has a next_page_token, so it is full`);
    assert.equal(page.nextPageToken, pageToken(last?.id ?? ""), `page ${pages.length}: next_page_token is base64url(last id)`);
    assert.ok(pages.length < 1_000, "the listing ends");
    next = page.nextPageToken;
  }
}

function ids(users: readonly User[]): string[] {
  return users.map((user) => user.id);
}

/** A user of a namespace, numbered: ids sort by the number. */
function numbered(ns: IdNamespace, n: number): User {
  return create(UserSchema, { id: ns.id(n), firstName: `Listed ${n}`, lastName: "Page" });
}

/** Stores the users of the numbers one by one, last first: the order of the store must not matter. */
async function storeNumbered(ctx: UsersSuiteContext, ns: IdNamespace, numbers: readonly number[]): Promise<User[]> {
  const users = numbers.map((n) => numbered(ns, n));
  const kv = await ctx.kv();
  for (const user of [...users].reverse()) await storeUsers(kv, [user]);
  return users;
}

export function listUsersTests(ctx: UsersSuiteContext): void {
  describe("ListUsers", () => {
    describe("refuses, with INVALID_ARGUMENT on the field at fault", () => {
      for (const pageSize of [-1, MAX_PAGE_SIZE + 1, -2147483648, 2147483647]) {
        it(`page_size ${pageSize} (page_size)`, async () => {
          expectError(await ctx.rpc.call(listUsers, { pageSize }), {
            reason: "INVALID_ARGUMENT",
            field: "page_size",
            description: "page_size must be between 0 and 100",
          });
        });
      }

      for (const [what, token] of [
        ["that is not base64url", "%%%%"],
        ["of an id with a space", pageToken("no such user")],
        ["of an id of two KV tokens (user.x)", pageToken("user.x")],
        ["of the id * (a NATS wildcard)", pageToken("*")],
        ["of the id > (a NATS wildcard)", pageToken(">")],
        ["of an id with a newline inside", pageToken("abc\ndef")],
        ["of an id with a trailing newline", pageToken("abc\n")],
        ["that decodes to bytes that are not UTF-8", Buffer.from([0xff, 0xfe, 0xfd]).toString("base64url")],
        [`of an id of ${MAX_ID + 1} characters`, pageToken("a".repeat(MAX_ID + 1))],
        ["of 4,100 characters", LONG],
      ] as const) {
        it(`a page_token ${what} (page_token)`, async () => {
          expectError(await ctx.rpc.call(listUsers, { pageSize: 3, pageToken: token }), {
            reason: "INVALID_ARGUMENT",
            field: "page_token",
            description: "page_token is not valid",
          });
        });
      }

      it("page_size before page_token: both wrong → page_size", async () => {
        expectError(await ctx.rpc.call(listUsers, { pageSize: MAX_PAGE_SIZE + 1, pageToken: pageToken("*") }), {
          reason: "INVALID_ARGUMENT",
          field: "page_size",
          description: "page_size must be between 0 and 100",
        });
      });
    });

    describe("pages through users in id order", () => {
      it("7 users, page_size 3: pages of 3, 3 and 1; next_page_token is base64url(last id), then empty", async () => {
        const ns = newIdNamespace();
        const users = await storeNumbered(ctx, ns, [1, 2, 3, 4, 5, 6, 7].map((n) => n * 16));

        const first = await listPage(ctx, 3, pageToken(ns.prefix));
        assert.deepEqual(first.users, users.slice(0, 3), "page 1: the first 3 users, as stored");
        assert.equal(first.nextPageToken, pageToken(ns.id(48)), "page 1: base64url (no padding) of its last id");

        const second = await listPage(ctx, 3, first.nextPageToken);
        assert.deepEqual(second.users, users.slice(3, 6), "page 2: the next 3 users");
        assert.equal(second.nextPageToken, pageToken(ns.id(96)), "page 2: base64url (no padding) of its last id");

        const third = await listPage(ctx, 3, second.nextPageToken);
        assert.deepEqual(third.users, users.slice(6), "page 3: the last user");
        assert.equal(third.nextPageToken, "", "page 3 is the last: no next_page_token");
      });

      it("6 users, page_size 3: the second page is full and the last, with an empty next_page_token", async () => {
        const ns = newIdNamespace();
        const users = await storeNumbered(ctx, ns, [1, 2, 3, 4, 5, 6]);
        const pages = await listToEnd(ctx, 3, pageToken(ns.prefix));
        assert.deepEqual(
          pages.map((page) => ids(page.users)),
          [ids(users.slice(0, 3)), ids(users.slice(3))],
          "two pages of 3, no empty third page",
        );
      });

      it("a token made from any id continues right after it, whether or not a user has that id", async () => {
        const ns = newIdNamespace();
        const users = await storeNumbered(ctx, ns, [1, 2, 3, 4, 5, 6, 7].map((n) => n * 16));

        const afterThird = await listPage(ctx, 10, pageToken(ns.id(48)));
        assert.deepEqual(ids(afterThird.users), ids(users.slice(3)), "after an existing id: the users after it");
        assert.equal(afterThird.nextPageToken, "");

        const afterGap = await listPage(ctx, 10, pageToken(ns.id(50)));
        assert.deepEqual(ids(afterGap.users), ids(users.slice(3)), "after an id nobody has: the users after it");
        assert.equal(afterGap.nextPageToken, "");
      });

      it("after the last user: no users and an empty next_page_token", async () => {
        const page = await listPage(ctx, 5, pageToken("zzzzzzzz"));
        assert.deepEqual(page.users, []);
        assert.equal(page.nextPageToken, "");
      });

      it(`page_size 0 means ${DEFAULT_PAGE_SIZE}; ${MAX_PAGE_SIZE} and 1 are allowed`, async () => {
        const ns = newIdNamespace();
        const users = await storeNumbered(ctx, ns, Array.from({ length: DEFAULT_PAGE_SIZE + 2 }, (_, i) => i + 1));
        const start = pageToken(ns.prefix);

        const byDefault = await listToEnd(ctx, 0, start);
        assert.deepEqual(
          byDefault.map((page) => page.users.length),
          [DEFAULT_PAGE_SIZE, 2],
          `page_size 0: a page of ${DEFAULT_PAGE_SIZE}, then 2`,
        );
        assert.deepEqual(byDefault.flatMap((page) => ids(page.users)), ids(users));

        const max = await listPage(ctx, MAX_PAGE_SIZE, start);
        assert.deepEqual(ids(max.users), ids(users), `page_size ${MAX_PAGE_SIZE}: all ${users.length} at once`);
        assert.equal(max.nextPageToken, "");

        const one = await listPage(ctx, 1, start);
        assert.deepEqual(ids(one.users), [ns.id(1)], "page_size 1: one user");
        assert.equal(one.nextPageToken, pageToken(ns.id(1)));
      });

      it("orders ids by their bytes (- < 0 < = < A < Z < _ < a), not by locale or case; tokens have no padding", async () => {
        const ns = newIdNamespace();
        // Ids of every length modulo 3, so base64 would need padding for some of them.
        const suffixes = ["a", "B", "_x", "0", "=", "-", "Z", "aa", "A", "9z", "b", "_", "zz", "AAA"];
        const users = suffixes.map((suffix) => create(UserSchema, { id: `${ns.prefix}-${suffix}`, firstName: suffix, lastName: "Order" }));
        await storeUsers(await ctx.kv(), users);

        const pages = await listToEnd(ctx, 2, pageToken(ns.prefix));
        const listed = pages.flatMap((page) => ids(page.users));
        assert.deepEqual(listed, ids(users).sort(byIdBytes), "users in the byte order of their ids");
        for (const page of pages) assert.doesNotMatch(page.nextPageToken, /[=+/]/, "base64url, no padding");
      });

      it("from an empty page_token, lists every user of the bucket once, in id order, as stored", async () => {
        const kv = await ctx.kv();
        const stored = new Map<string, User>();
        for await (const key of await kv.keys(userKey(">"))) {
          const entry = await kv.get(key);
          if (entry !== null && entry.operation === "PUT") {
            const user = fromBinary(UserSchema, entry.value);
            stored.set(user.id, user);
          }
        }
        assert.ok(stored.size > 20, `the earlier tests stored users (${stored.size})`);

        const listed = (await listToEnd(ctx, 7, "")).flatMap((page) => page.users);
        assert.deepEqual(ids(listed), [...stored.keys()].sort(byIdBytes), "every user once, in id order");
        for (const user of listed) assert.deepEqual(user, stored.get(user.id), `user ${user.id} as stored`);
      });
    });

    describe("stays stable while users come and go between pages", () => {
      it("neither repeats nor skips the users present throughout; continues after a deleted token id", async () => {
        const ns = newIdNamespace();
        const kv = await ctx.kv();
        await storeNumbered(ctx, ns, [16, 32, 48, 64, 80, 96, 112]);
        const remove = async (n: number): Promise<void> => {
          expectOk(deleteUser, await ctx.rpc.call(deleteUser, { id: ns.id(n) }));
        };
        const numbers = (page: ListUsersResponse): string[] => ids(page.users);

        const first = await listPage(ctx, 3, pageToken(ns.prefix));
        assert.deepEqual(numbers(first), [16, 32, 48].map(ns.id), "page 1");
        assert.equal(first.nextPageToken, pageToken(ns.id(48)));

        // Between pages: the user the token names goes, one on the next page goes, one comes before
        // the cursor (already passed) and one after it.
        await remove(48);
        await remove(80);
        await storeUsers(kv, [numbered(ns, 40), numbered(ns, 72)]);

        const second = await listPage(ctx, 3, first.nextPageToken);
        assert.deepEqual(
          numbers(second),
          [64, 72, 96].map(ns.id),
          "page 2: after the deleted token id, without the deleted user, with the one added ahead",
        );
        assert.equal(second.nextPageToken, pageToken(ns.id(96)));

        // Again: a listed user goes, the token's user goes, one comes ahead.
        await remove(16);
        await remove(96);
        await storeUsers(kv, [numbered(ns, 104)]);

        const third = await listPage(ctx, 3, second.nextPageToken);
        assert.deepEqual(numbers(third), [104, 112].map(ns.id), "page 3");
        assert.equal(third.nextPageToken, "", "page 3 is the last");

        const all = [...numbers(first), ...numbers(second), ...numbers(third)];
        assert.equal(new Set(all).size, all.length, "no user listed twice");
        for (const n of [32, 64, 112]) assert.ok(all.includes(ns.id(n)), `user ${n}, present throughout, is listed`);
      });
    });
  });
}
