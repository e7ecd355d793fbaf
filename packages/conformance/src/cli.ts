// Runs the users conformance suite against one implementation:
//   node --import tsx packages/conformance/src/cli.ts '<command starting one instance>'
// Without an argument, CONFORMANCE_TARGET or the default (users-ts). Exits non-zero on a failure.
// With CONFORMANCE_SERVICE (and CONFORMANCE_DESCRIPTORS), the generic checks instead, for any contract.
import { registerGenericSuite } from "./generic-suite.js";
import { genericOptionsFromEnv, optionsFromEnv } from "./options-from-env.js";
import { registerUsersSuite } from "./users-suite.js";

const generic = genericOptionsFromEnv(process.env, process.argv[2]);
if (generic === undefined) registerUsersSuite(optionsFromEnv(process.env, process.argv[2]));
else registerGenericSuite(generic);
