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
