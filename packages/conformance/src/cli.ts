// Runs the users conformance suite against one implementation:
//   node --import tsx packages/conformance/src/cli.ts '<command starting one instance>'
// Without an argument, CONFORMANCE_TARGET or the default (users-ts). Exits non-zero on a failure.
import { optionsFromEnv } from "./options-from-env.js";
import { registerUsersSuite } from "./users-suite.js";

registerUsersSuite(optionsFromEnv(process.env, process.argv[2]));
