import { ConfigError } from "@switchyard/protocol";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * PING_SHOWS_INSTANCE: whether Ping's served_by.instance names this instance (`true`, the default)
 * or is left empty (`false`), so an operator can keep instance ids out of public replies. Unset or
 * empty is the default; any other value is a ConfigError.
 */
export function pingShowsInstanceFromEnv(env: Env): boolean {
  const value = env["PING_SHOWS_INSTANCE"];
  if (value === undefined || value === "" || value === "true") return true;
  if (value === "false") return false;
  throw new ConfigError("PING_SHOWS_INSTANCE", `"${value}" is neither true nor false`);
}
