export { registerUsersSuite, type UsersSuiteOptions } from "./users-suite.js";
export { registerGenericSuite, type GenericSuiteOptions } from "./generic-suite.js";
export { optionsFromEnv, genericOptionsFromEnv, DEFAULT_TARGET } from "./options-from-env.js";
export { RpcClient, type RpcReply, type UnaryMethod } from "./rpc.js";
export { expectError, expectOk, type ExpectedError } from "./expect.js";
export {
  createUserRequestBytes,
  textCases,
  undecodableCases,
  type TextCase,
  type TextFields,
  type UndecodableCase,
} from "./users/text-cases.js";
