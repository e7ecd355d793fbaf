import { resolve } from "node:path";
import type { GenericSuiteOptions } from "./generic-suite.js";
import type { UsersSuiteOptions } from "./users-suite.js";

/** The TypeScript implementation, the default target. */
export const DEFAULT_TARGET = "node --import tsx services/users-ts/src/main.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Suite options from the environment:
 * - CONFORMANCE_TARGET: the shell command starting one instance (default: users-ts);
 * - CONFORMANCE_ECHO=1: echo the instance's output to stderr;
 * - CONFORMANCE_READY_TIMEOUT_MS: how long the instance has to answer its first Ping.
 */
export function optionsFromEnv(env: Env, target = env["CONFORMANCE_TARGET"]): UsersSuiteOptions {
  const command = target !== undefined && target.trim() !== "" ? target.trim() : DEFAULT_TARGET;
  const options: UsersSuiteOptions = { target: command, echo: env["CONFORMANCE_ECHO"] === "1" };

  const readyTimeout = Number(env["CONFORMANCE_READY_TIMEOUT_MS"]);
  if (Number.isInteger(readyTimeout) && readyTimeout > 0) options.readyTimeoutMs = readyTimeout;
  return options;
}

/**
 * The generic suite's options, when CONFORMANCE_SERVICE names a contract service (echo.v1.EchoService):
 * - CONFORMANCE_DESCRIPTORS: the serialized descriptor set holding it (`buf build -o x.binpb`), required then;
 * - CONFORMANCE_NAME: the micro service name the instance must register (default: any);
 * - CONFORMANCE_TARGET (required then), CONFORMANCE_ECHO, CONFORMANCE_READY_TIMEOUT_MS as for users.
 * Undefined without CONFORMANCE_SERVICE: the users suite runs.
 */
export function genericOptionsFromEnv(env: Env, target = env["CONFORMANCE_TARGET"]): GenericSuiteOptions | undefined {
  const service = env["CONFORMANCE_SERVICE"]?.trim();
  if (service === undefined || service === "") return undefined;
  const descriptors = env["CONFORMANCE_DESCRIPTORS"]?.trim();
  if (descriptors === undefined || descriptors === "") throw new Error("CONFORMANCE_SERVICE needs CONFORMANCE_DESCRIPTORS: the descriptor set holding it (buf build -o x.binpb)");
  const command = target?.trim();
  if (command === undefined || command === "") throw new Error("CONFORMANCE_SERVICE needs a target: CONFORMANCE_TARGET or the command as an argument");
  const { readyTimeoutMs, echo } = optionsFromEnv(env, command);
  const name = env["CONFORMANCE_NAME"]?.trim();
  return {
    target: command,
    service,
    descriptors: resolve(descriptors),
    ...(name === undefined || name === "" ? {} : { name }),
    ...(echo === undefined ? {} : { echo }),
    ...(readyTimeoutMs === undefined ? {} : { readyTimeoutMs }),
  };
}
