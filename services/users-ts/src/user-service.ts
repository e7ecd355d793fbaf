import { randomUUID } from "node:crypto";
import { UserService } from "@switchyard/contracts";
import { ServiceError, type ServiceImpl } from "@switchyard/service";
import { isKeyToken } from "./keys.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import type { UserStore } from "./user-store.js";
import { copyMasked, validateCreateUser, validateId, validateListUsers, validateUpdateUser } from "./validate.js";

export const SERVICE_NAME = "users";
export const LANGUAGE = "typescript";
const DEFAULT_PAGE_SIZE = 50;

/** Test-only ways to answer differently from the other implementations, for the shadow-compare tests. */
export const DIVERGENCES = ["upper-last-name"] as const;
export type Divergence = (typeof DIVERGENCES)[number];

/** users.v1.UserService over the shared store; `instance` is the micro service id, known after start. */
export function userServiceImpl(
  store: UserStore,
  instance: () => string,
  diverge?: Divergence,
): ServiceImpl<typeof UserService.method> {
  return {
    ping() {
      return { message: "pong", servedBy: { service: SERVICE_NAME, language: LANGUAGE, instance: instance() } };
    },

    async createUser(request) {
      const user = { ...validateCreateUser(request), id: randomUUID() };
      if (!(await store.create(user))) throw emailTaken();
      return { id: user.id, success: true };
    },

    async getUser(request) {
      validateId(request);
      const user = await store.get(request.id);
      if (user === undefined) throw notFound(request.id);
      if (diverge === "upper-last-name") return { user: { ...user, lastName: user.lastName.toUpperCase() } };
      return { user };
    },

    async listUsers(request) {
      validateListUsers(request);
      let after = "";
      if (request.pageToken !== "") {
        const id = decodePageToken(request.pageToken, isKeyToken);
        if (id === undefined) throw new ServiceError("INVALID_ARGUMENT", "page_token is not valid", "page_token");
        after = id;
      }
      const { users, more } = await store.list(after, request.pageSize || DEFAULT_PAGE_SIZE);
      const last = users.at(-1);
      return { users, nextPageToken: more && last !== undefined ? encodePageToken(last.id) : "" };
    },

    async updateUser(request) {
      const { user, paths } = validateUpdateUser(request);
      const outcome = await store.update(user.id, (current) => copyMasked(user, current, paths));
      if (outcome === "not-found") throw notFound(user.id);
      if (outcome === "email-taken") throw emailTaken();
      if (outcome === "changed-concurrently") throw changedConcurrently(user.id);
      return { user: outcome };
    },

    async deleteUser(request) {
      validateId(request);
      const outcome = await store.delete(request.id);
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
