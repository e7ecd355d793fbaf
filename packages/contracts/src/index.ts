export * from "./gen/users/v1/users_pb.js";
export * from "./gen/inventory/v1/inventory_pb.js";
export { http } from "./gen/google/api/annotations_pb.js";
export type { HttpRule } from "./gen/google/api/http_pb.js";
export { contractFiles } from "./contract-files.js";
