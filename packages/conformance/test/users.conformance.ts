// CONFORMANCE_TARGET='<command>' picks the implementation; users-ts by default.
import { optionsFromEnv, registerUsersSuite } from "@switchyard/conformance";

registerUsersSuite(optionsFromEnv(process.env));
