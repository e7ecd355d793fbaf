import type { DescFile } from "@bufbuild/protobuf";
import { file_inventory_v1_inventory } from "./gen/inventory/v1/inventory_pb.js";
import { file_users_v1_users } from "./gen/users/v1/users_pb.js";

/** Every contract the gateway serves by default; a new contract file is added here once. */
export const contractFiles: readonly DescFile[] = [file_users_v1_users, file_inventory_v1_inventory];
