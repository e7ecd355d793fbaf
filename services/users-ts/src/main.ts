import { ConfigError } from "@switchyard/protocol";
import { runService } from "@switchyard/service";
import { startUsersService, type UsersOptions } from "./index.js";
import { pingShowsInstanceFromEnv } from "./settings.js";
import { DIVERGENCES, type Divergence } from "./user-service.js";

// Test only (the shadow-compare tests): USERS_TEST_DIVERGE=upper-last-name makes this instance
// answer GetUser with the last name in capitals.
const diverge = process.env["USERS_TEST_DIVERGE"];
if (diverge !== undefined && diverge !== "" && !(DIVERGENCES as readonly string[]).includes(diverge)) {
  console.error(`users-ts: bad configuration: USERS_TEST_DIVERGE: "${diverge}" is not one of ${DIVERGENCES.join(", ")}`);
  process.exit(2);
}

const options: UsersOptions = diverge ? { diverge: diverge as Divergence } : {};
try {
  options.pingShowsInstance = pingShowsInstanceFromEnv(process.env);
} catch (err) {
  if (!ConfigError.is(err)) throw err;
  console.error(`users-ts: bad configuration: ${err.message}`);
  process.exit(2);
}

await runService("users-ts", (nc) => startUsersService(nc, undefined, options));
