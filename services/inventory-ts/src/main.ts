import { runService } from "@switchyard/service";
import { startInventoryService } from "./index.js";

await runService("inventory-ts", (nc) => startInventoryService(nc));
