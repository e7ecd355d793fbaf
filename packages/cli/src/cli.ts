/** The `switchyard` command line: commander wiring, options from flags or the environment. */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { AdminTarget } from "./admin/index.js";
import { callCommand } from "./commands/call.js";
import { LANGUAGES, newServiceCommand } from "./commands/new-service.js";
import { routesCommand } from "./commands/routes.js";
import { servicesCommand } from "./commands/services.js";
import { shadowReportCommand, shadowResetCommand } from "./commands/shadow.js";
import { topCommand } from "./commands/top.js";
import {
  trafficHistoryCommand,
  trafficRemoveCommand,
  trafficRollbackCommand,
  trafficSetCommand,
  trafficShadowCommand,
  trafficShowCommand,
  trafficWeightsCommand,
} from "./commands/traffic.js";
import { CliError, parseBaseUrl } from "./http.js";
import type { Io } from "./io.js";

export { processIo, type Io } from "./io.js";

export const DEFAULT_GATEWAY = "http://127.0.0.1:3000";
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_INTERVAL_MS = 1_000;

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
    .description("Look at a Switchyard gateway, call its routes, steer its traffic between deployments, and make new services.")
    .option("--gateway <url>", `the gateway (env SWITCHYARD_GATEWAY, default ${DEFAULT_GATEWAY})`)
    .option("--admin <url>", "where the admin endpoints are, when on ADMIN_PORT (env SWITCHYARD_ADMIN, default: the gateway)")
    .option("--timeout <ms>", `give up on a reply after this long (default ${DEFAULT_TIMEOUT_MS})`, parseTimeout)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .exitOverride();

  /** The admin URL and timeout, from the options of `command` and every command above it. */
  const adminOf = (command: Command): AdminTarget => {
    const target = targets(command.optsWithGlobals<GlobalOptions>(), io.env);
    return { admin: target.admin, timeoutMs: target.timeoutMs };
  };

  program
    .command("routes")
    .description("list the routes with their RPCs and NATS subjects (GET /_/routes)")
    .option("--json", "print the JSON reply instead of a table")
    .action(async (options: { json?: boolean }, command: Command) => {
      exitCode = await routesCommand({ ...adminOf(command), json: options.json === true }, io);
    });

  program
    .command("services")
    .description("list each route's live instances, then its deployments' traffic (GET /_/services)")
    .option("--json", "print the JSON reply instead of tables")
    .action(async (options: { json?: boolean }, command: Command) => {
      exitCode = await servicesCommand({ ...adminOf(command), json: options.json === true }, io);
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

  const traffic = program.command("traffic").description("read and change how each service's traffic moves between its deployments");

  traffic
    .command("show")
    .description("every traffic policy, or one service's, with its revision (GET /_/traffic)")
    .argument("[service]", "a contract service, e.g. users.v1.UserService")
    .option("--json", "print the JSON reply")
    .action(async (service: string | undefined, options: { json?: boolean }, command: Command) => {
      exitCode = await trafficShowCommand({ ...adminOf(command), service, json: options.json === true }, io);
    });

  traffic
    .command("set")
    .description("replace a service's policy; warnings go to stderr (PUT /_/traffic/<service>)")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .argument("<policy>", "the policy: JSON text, @file, or - for stdin")
    .option("--comment <text>", "why, kept with the revision")
    .option("--expect-revision <n>", "change only if the latest revision is n (0: no policy yet)", parseWhole(0))
    .action(async (service: string, policy: string, options: { comment?: string; expectRevision?: number }, command: Command) => {
      exitCode = await trafficSetCommand(
        { ...adminOf(command), service, policy, comment: options.comment, expectRevision: options.expectRevision },
        io,
      );
    });

  traffic
    .command("weights")
    .description("replace a service's weights, keeping the rest of its policy")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .argument("<weights...>", "deployment=weight, e.g. users-ts=90 users-rb=10")
    .option("--comment <text>", "why, kept with the revision (default: the weights)")
    .action(async (service: string, weights: string[], options: { comment?: string }, command: Command) => {
      exitCode = await trafficWeightsCommand({ ...adminOf(command), service, weights, comment: options.comment }, io);
    });

  traffic
    .command("shadow")
    .description("copy a service's requests to a deployment and compare its replies, keeping the rest of its policy")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .argument("[deployment]", "the deployment to copy requests to")
    .option("--fraction <f>", "the share of requests copied, above 0 and at most 1 (default 1)", parseFraction)
    .option("--ignore <path>", "a reply field never compared, e.g. served_by.instance (repeatable)", collect, [] as string[])
    .option("--off", "stop shadowing")
    .option("--comment <text>", "why, kept with the revision (default: the change)")
    .action(
      async (
        service: string,
        deployment: string | undefined,
        options: { fraction?: number; ignore: string[]; off?: boolean; comment?: string },
        command: Command,
      ) => {
        exitCode = await trafficShadowCommand(
          {
            ...adminOf(command),
            service,
            deployment,
            off: options.off === true,
            fraction: options.fraction,
            ignore: options.ignore,
            comment: options.comment,
          },
          io,
        );
      },
    );

  traffic
    .command("history")
    .description("a service's policy revisions, newest first (GET /_/traffic/<service>/history)")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .option("--json", "print the JSON reply")
    .action(async (service: string, options: { json?: boolean }, command: Command) => {
      exitCode = await trafficHistoryCommand({ ...adminOf(command), service, json: options.json === true }, io);
    });

  traffic
    .command("rollback")
    .description("put back an earlier policy, as a new revision (POST /_/traffic/<service>/rollback)")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .option("--to <revision>", "the revision to put back (default: the one before the latest)", parseWhole(1))
    .action(async (service: string, options: { to?: number }, command: Command) => {
      exitCode = await trafficRollbackCommand({ ...adminOf(command), service, to: options.to }, io);
    });

  traffic
    .command("remove")
    .description("remove a service's policy: its traffic goes to the shared queue group (DELETE /_/traffic/<service>)")
    .argument("<service>", "a contract service, e.g. users.v1.UserService")
    .action(async (service: string, _options: unknown, command: Command) => {
      exitCode = await trafficRemoveCommand({ ...adminOf(command), service }, io);
    });

  const shadow = program.command("shadow").description("how shadow deployments' replies compare with the primaries'");

  shadow
    .command("report")
    .description("per shadowed RPC: comparisons, mismatches by field, the latest mismatching pair (GET /_/shadow)")
    .option("--rpc <name>", "one RPC: users.v1.UserService.GetUser, or GetUser")
    .option("--json", "print the JSON reply")
    .action(async (options: { rpc?: string; json?: boolean }, command: Command) => {
      exitCode = await shadowReportCommand({ ...adminOf(command), rpc: options.rpc, json: options.json === true }, io);
    });

  shadow
    .command("reset")
    .description("forget the shadow results so far (DELETE /_/shadow)")
    .action(async (_options: unknown, command: Command) => {
      exitCode = await shadowResetCommand(adminOf(command), io);
    });

  program
    .command("top")
    .description("the gateway live: NATS, each route's deployments, shadows, conflicts (GET /_/stats); Ctrl-C quits")
    .option("--interval <ms>", `time between polls (default ${DEFAULT_INTERVAL_MS})`, parseTimeout)
    .option("--once", "print one snapshot and exit (also when stdout is not a terminal)")
    .action(async (options: { interval?: number; once?: boolean }, command: Command) => {
      exitCode = await topCommand(
        { ...adminOf(command), intervalMs: options.interval ?? DEFAULT_INTERVAL_MS, once: options.once === true },
        io,
      );
    });

  program
    .command("new")
    .description("make something new from a contract")
    .command("service")
    .description("write a runnable service for a contract's service: handlers answering UNIMPLEMENTED, a test, a Dockerfile, a README")
    .argument("<name>", "the service's name, its folder and its micro service name: lowercase words joined by -, e.g. echo")
    .requiredOption("--lang <lang>", `the language: ${LANGUAGES.join(" or ")}`)
    .requiredOption("--proto <file>", "the .proto file declaring the service (its imports: google/api, buf/validate, well-known types, files beside it)")
    .option("--service <name>", "the service to implement, when the file declares several")
    .option("--dir <dir>", "the folder to write, new or empty (default: ./<name>)")
    .option("--sdk-path <dir>", "Ruby: take the switchyard-service gem from this folder (a Gemfile path: entry), e.g. packages/service-rb")
    .action(async (name: string, options: { lang: string; proto: string; service?: string; dir?: string; sdkPath?: string }) => {
      exitCode = await newServiceCommand(
        { name, lang: options.lang, proto: options.proto, service: options.service, dir: options.dir, sdkPath: options.sdkPath, cwd: process.cwd() },
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

/** A revision as typed: a whole number from `min` up (0: "no policy yet", for --expect-revision). */
function parseWhole(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number from ${min} up`);
    return n;
  };
}

function parseFraction(value: string): number {
  const f = Number(value);
  if (value.trim() === "" || !Number.isFinite(f)) throw new InvalidArgumentError("expected a number, e.g. 0.1");
  return f;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
