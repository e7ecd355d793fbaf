import { ConfigError } from "@switchyard/protocol";

/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

// Readers of one setting each: unset or blank gives the fallback, a bad value a ConfigError naming the variable.

/** Comma-separated, blanks dropped. */
export function list(env: Env, name: string): string[] {
  return (env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim() ?? "";
  if (text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(name, `"${text}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ConfigError(name, `"${text}" is not one of ${allowed.join(", ")}`);
  }
  return text as T;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  if (["true", "1", "yes"].includes(text)) return true;
  if (["false", "0", "no"].includes(text)) return false;
  throw new ConfigError(name, `"${text}" is not true or false`);
}
