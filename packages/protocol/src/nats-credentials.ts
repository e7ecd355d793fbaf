import { randomBytes } from "node:crypto";
import { chown, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { rolePermissions, type NatsPermissions } from "./nats-permissions.js";
import { SWITCHYARD_ROLES, type NatsRole } from "./nats-roles.js";

/** Where, under the credentials folder, nats-server's part is: `include` it, or run `-c` with it. */
export const SERVER_CONFIG_FILE = join("nats-server", "auth.conf");

/** Where, under the credentials folder, one role's environment is: NATS_USER, NATS_PASSWORD, NATS_INBOX_PREFIX. */
export function roleEnvFile(role: string): string {
  return join(role, "nats.env");
}

export interface WriteNatsCredentialsOptions {
  /** Default SWITCHYARD_ROLES. */
  roles?: readonly NatsRole[];
  /** Keep the passwords of the env files already there (a restarted compose stack); new ones otherwise. */
  reusePasswords?: boolean;
  /** Who owns the role folders and env files (the processes' user, when this runs as root in a container). */
  owner?: { uid: number; gid: number };
}

export interface WrittenNatsCredentials {
  /** The nats-server configuration: `authorization { users = [...] }`. */
  serverConfigFile: string;
  /** Each role's env file and what it sets. */
  roles: ReadonlyMap<string, { envFile: string; env: Readonly<Record<string, string>> }>;
}

/**
 * Writes one NATS user per role, with a random password and least-privilege permissions, into
 * `dir`: the server's authorization block (nats-server/auth.conf) and one env file per role
 * (<role>/nats.env), each readable by its owner only. Every run of `make up` makes new passwords.
 */
export async function writeNatsCredentials(dir: string, options: WriteNatsCredentialsOptions = {}): Promise<WrittenNatsCredentials> {
  const roles = options.roles ?? SWITCHYARD_ROLES;
  const written = new Map<string, { envFile: string; env: Record<string, string> }>();
  const users: { role: NatsRole; password: string }[] = [];
  for (const role of roles) {
    const envFile = join(dir, roleEnvFile(role.name));
    const kept = options.reusePasswords ? await passwordIn(envFile, role.name) : undefined;
    const password = kept ?? randomBytes(24).toString("base64url");
    const env = { NATS_USER: role.name, NATS_PASSWORD: password, NATS_INBOX_PREFIX: role.inboxPrefix };
    await mkdir(join(dir, role.name), { recursive: true, mode: 0o700 });
    await writeSecret(envFile, envText(role, env));
    if (options.owner !== undefined) {
      await chown(join(dir, role.name), options.owner.uid, options.owner.gid);
      await chown(envFile, options.owner.uid, options.owner.gid);
    }
    written.set(role.name, { envFile, env });
    users.push({ role, password });
  }
  const serverConfigFile = join(dir, SERVER_CONFIG_FILE);
  await mkdir(join(dir, "nats-server"), { recursive: true, mode: 0o700 });
  await writeSecret(serverConfigFile, serverConfig(users.map(({ role, password }) => ({ user: role.name, password, permissions: rolePermissions(role, roles) }))));
  return { serverConfigFile, roles: written };
}

/** nats-server's `authorization` block for these users; no user, no connection. */
export function serverConfig(users: readonly { user: string; password: string; permissions: NatsPermissions }[]): string {
  const list = (subjects: readonly string[]) => `[\n${subjects.map((s) => `            ${JSON.stringify(s)}`).join("\n")}\n          ]`;
  const entries = users.map(({ user, password, permissions }) =>
    [
      "    {",
      `      user: ${JSON.stringify(user)}`,
      `      password: ${JSON.stringify(password)}`,
      "      permissions: {",
      `        publish: { allow: ${permissions.publish.length === 0 ? "[]" : list(permissions.publish)} }`,
      `        subscribe: { allow: ${permissions.subscribe.length === 0 ? "[]" : list(permissions.subscribe)} }`,
      ...(permissions.allowResponses ? ["        allow_responses: true"] : []),
      "      }",
      "    }",
    ].join("\n"),
  );
  return [
    "# NATS users of Switchyard, one a process role, with random passwords: made for one run of",
    "# `make up` (packages/protocol/src/nats-credentials.ts). Secret: never edit or commit it.",
    "authorization {",
    "  users = [",
    ...entries,
    "  ]",
    "}",
    "",
  ].join("\n");
}

function envText(role: NatsRole, env: Record<string, string>): string {
  const who = role.kind === "gateway" ? "the gateway" : `the ${role.name} service (${role.contracts.join(", ")})`;
  return [
    `# NATS credentials of ${who}, for one run of \`make up\`. Secret: never commit it.`,
    ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
    "",
  ].join("\n");
}

/** Written beside, then renamed: a reader never sees half a file, and never a readable secret. */
async function writeSecret(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, file);
}

async function passwordIn(envFile: string, user: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(envFile, "utf8");
  } catch {
    return undefined;
  }
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1];
  return value("NATS_USER") === user ? value("NATS_PASSWORD") : undefined;
}
