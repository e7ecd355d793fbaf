import { runService } from "@switchyard/service";
import { startUsersService } from "./index.js";

await runService("users-ts", (nc) => startUsersService(nc));
