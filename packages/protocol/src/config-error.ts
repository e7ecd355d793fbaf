/** A start-up configuration value that cannot be used; `variable` names the environment variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }

  static is(err: unknown): err is ConfigError {
    return err instanceof Error && err.name === "ConfigError";
  }
}
