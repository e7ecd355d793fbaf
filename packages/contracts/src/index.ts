export * from "./gen/users/v1/users_pb.js";
export * from "./gen/inventory/v1/inventory_pb.js";
export { file_google_api_annotations, http } from "./gen/google/api/annotations_pb.js";
export { HttpRuleSchema, type HttpRule } from "./gen/google/api/http_pb.js";
export { contractFiles } from "./contract-files.js";
