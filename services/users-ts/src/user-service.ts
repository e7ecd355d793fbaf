import { randomUUID } from "node:crypto";
import { UserService } from "@switchyard/contracts";
import { ServiceError, type ServiceImpl } from "@switchyard/service";
import type { UserStore } from "./user-store.js";
import { validateCreateUser, validateGetUser } from "./validate.js";

export const SERVICE_NAME = "users";
export const LANGUAGE = "typescript";

/** users.v1.UserService over the shared store; `instance` is the micro service id, known after start. */
export function userServiceImpl(store: UserStore, instance: () => string): ServiceImpl<typeof UserService.method> {
  return {
    ping() {
      return { message: "pong", servedBy: { service: SERVICE_NAME, language: LANGUAGE, instance: instance() } };
    },

    async createUser(request) {
      validateCreateUser(request);
      const user = { ...request.user, id: randomUUID() };
      if (!(await store.create(user))) {
        throw new ServiceError("ALREADY_EXISTS", "email is already taken", "user.email");
      }
      return { id: user.id, success: true };
    },

    async getUser(request) {
      validateGetUser(request);
      const user = await store.get(request.id);
      if (user === undefined) throw new ServiceError("NOT_FOUND", `user ${request.id} not found`);
      return { user };
    },
  };
}
