/** The `switchyard` command line: commander wiring, options from flags or the environment. */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { callCommand } from "./commands/call.js";
import { routesCommand } from "./commands/routes.js";
import { servicesCommand } from "./commands/services.js";
import { CliError, parseBaseUrl } from "./http.js";
import type { Io } from "./io.js";

export { processIo, type Io } from "./io.js";

export const DEFAULT_GATEWAY = "http://127.0.0.1:3000";
const DEFAULT_TIMEOUT_MS = 30_000;

interface GlobalOptions {
  gateway?: string;
  admin?: string;
  timeout?: number;
}

/** Runs the CLI on `argv` (the arguments after the program name) and returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command("switchyard");
  program
    .description("Look at a Switchyard gateway and call its routes.")
    .option("--gateway <url>", `the gateway (env SWITCHYARD_GATEWAY, default ${DEFAULT_GATEWAY})`)
    .option("--admin <url>", "where the admin endpoints are, when on ADMIN_PORT (env SWITCHYARD_ADMIN, default: the gateway)")
    .option("--timeout <ms>", `give up on a reply after this long (default ${DEFAULT_TIMEOUT_MS})`, parseTimeout)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  program
    .command("routes")
    .description("list the routes with their RPCs and NATS subjects (GET /_/routes)")
    .option("--json", "print the JSON reply instead of a table")
    .action(async (options: { json?: boolean }, command: Command) => {
      const target = targets(command.optsWithGlobals<GlobalOptions>(), io.env);
      exitCode = await routesCommand({ admin: target.admin, json: options.json === true, timeoutMs: target.timeoutMs }, io);
    });

  program
    .command("services")
    .description("list each route's live instances and their counters (GET /_/services)")
    .option("--json", "print the JSON reply instead of a table")
    .action(async (options: { json?: boolean }, command: Command) => {
      const target = targets(command.optsWithGlobals<GlobalOptions>(), io.env);
      exitCode = await servicesCommand({ admin: target.admin, json: options.json === true, timeoutMs: target.timeoutMs }, io);
    });

  program
    .command("call")
    .description("call a route: status line to stderr, body to stdout; exit 0 for a 2xx, 1 otherwise")
    .argument("<method>", "GET, POST, PUT, PATCH, DELETE, …")
    .argument("<path>", "the path and query, e.g. /users/42 or '/users?pageSize=2'")
    .argument("[json]", "the request body, sent as application/json")
    .option("-H, --header <name:value>", "add a request header (repeatable)", collect, [] as string[])
    .action(async (method: string, path: string, json: string | undefined, options: { header: string[] }, command: Command) => {
      const target = targets(command.optsWithGlobals<GlobalOptions>(), io.env);
      exitCode = await callCommand(
        { gateway: target.gateway, method, path, json, headers: options.header, timeoutMs: target.timeoutMs },
        io,
      );
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    // Commander has already printed its message and usage; --help is the one success.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      io.stderr(`switchyard: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`switchyard: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** Flag, then environment, then default; admin defaults to the gateway itself. */
function targets(options: GlobalOptions, env: Io["env"]): { gateway: string; admin: string; timeoutMs: number } {
  const fromEnv = (name: string) => (env[name] === "" ? undefined : env[name]);
  const gatewaySource = options.gateway !== undefined ? "--gateway" : "SWITCHYARD_GATEWAY";
  const gateway = parseBaseUrl(options.gateway ?? fromEnv("SWITCHYARD_GATEWAY") ?? DEFAULT_GATEWAY, gatewaySource);
  const rawAdmin = options.admin ?? fromEnv("SWITCHYARD_ADMIN");
  const admin = rawAdmin === undefined ? gateway : parseBaseUrl(rawAdmin, options.admin !== undefined ? "--admin" : "SWITCHYARD_ADMIN");
  return { gateway, admin, timeoutMs: options.timeout ?? DEFAULT_TIMEOUT_MS };
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new InvalidArgumentError("expected a whole number of milliseconds above 0");
  return ms;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
