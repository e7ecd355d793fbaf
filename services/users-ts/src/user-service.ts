import { UserService } from "@switchyard/contracts";
import { ServiceError, type ServiceImpl } from "@switchyard/service";
import { isUserId } from "./keys.js";
import { newUserId } from "./new-user-id.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import type { UserStore } from "./user-store.js";
import { copyMasked, maskedPaths } from "./validate.js";

export const SERVICE_NAME = "users";
export const LANGUAGE = "typescript";
const DEFAULT_PAGE_SIZE = 50;
/** StreamUsers reads the store a listing page of this many users at a time. */
const STREAM_PAGE_SIZE = 100;

/** Test-only ways to answer differently from the other implementations, for the shadow-compare tests. */
export const DIVERGENCES = ["upper-last-name"] as const;
export type Divergence = (typeof DIVERGENCES)[number];

/**
 * users.v1.UserService over the shared store; Ping names the instance (its micro service id) only
 * when `showInstance`. Past a request's deadline a handler stops before its next write
 * (or its next read, in a listing): see services/README.md, Deadlines.
 */
export function userServiceImpl(
  store: UserStore,
  showInstance: boolean,
  diverge?: Divergence,
): ServiceImpl<typeof UserService.method> {
  return {
    ping(_request, context) {
      return { message: "pong", servedBy: { service: SERVICE_NAME, language: LANGUAGE, instance: showInstance ? context.instanceId : "" } };
    },

    // With an idempotency key, the id is derived from it and the user stored at most once: a
    // retry of a create that was applied answers its id (services/README.md, CreateUser).
    async createUser(request, context) {
      const key = context.idempotencyKey;
      // The SDK has checked the contract's rules: user is set, its names and email within them.
      const user = { ...request.user!, id: newUserId(key) };
      const guard = () => context.checkDeadline();
      const outcome = key === undefined ? ((await store.create(user, guard)) ? "created" : "email-taken") : await store.createOnce(user, guard);
      if (outcome === "email-taken") throw emailTaken();
      return { id: user.id, success: true };
    },

    async getUser(request) {
      const user = await store.get(request.id);
      if (user === undefined) throw notFound(request.id);
      if (diverge === "upper-last-name") return { user: { ...user, lastName: user.lastName.toUpperCase() } };
      return { user };
    },

    async listUsers(request, context) {
      let after = "";
      if (request.pageToken !== "") {
        const id = decodePageToken(request.pageToken, isUserId);
        if (id === undefined) throw new ServiceError("INVALID_ARGUMENT", "page_token is not valid", "page_token");
        after = id;
      }
      const { users, more } = await store.list(after, request.pageSize || DEFAULT_PAGE_SIZE, () => context.checkDeadline());
      const last = users.at(-1);
      return { users, nextPageToken: more && last !== undefined ? encodePageToken(last.id) : "" };
    },

    // The listing's pages, one user a message; the SDK sends each as the caller's credit allows,
    // and stops pulling when the caller cancels or the deadline comes.
    async *streamUsers(request, context) {
      let after = request.afterId;
      for (let more = true; more; ) {
        const page = await store.list(after, STREAM_PAGE_SIZE, () => context.checkDeadline());
        for (const user of page.users) yield { user };
        more = page.more;
        after = page.users.at(-1)?.id ?? after;
      }
    },

    async updateUser(request, context) {
      // The SDK has checked the contract's rules: user and its id are set, and the mask has paths.
      const user = request.user!;
      const paths = maskedPaths(user, request.updateMask!.paths);
      const outcome = await store.update(user.id, (current) => copyMasked(user, current, paths), () => context.checkDeadline());
      if (outcome === "not-found") throw notFound(user.id);
      if (outcome === "email-taken") throw emailTaken();
      if (outcome === "changed-concurrently") throw changedConcurrently(user.id);
      return { user: outcome };
    },

    async deleteUser(request, context) {
      const outcome = await store.delete(request.id, () => context.checkDeadline());
      if (outcome === false) throw notFound(request.id);
      if (outcome === "changed-concurrently") throw changedConcurrently(request.id);
      return {};
    },
  };
}

function notFound(id: string): ServiceError {
  return new ServiceError("NOT_FOUND", `user ${id} not found`);
}

function changedConcurrently(id: string): ServiceError {
  return new ServiceError("ABORTED", `user ${id} changed concurrently; retry`);
}

function emailTaken(): ServiceError {
  return new ServiceError("ALREADY_EXISTS", "email is already taken", "user.email");
}
