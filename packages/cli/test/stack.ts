// A real gateway listening on a random port, a real nats-server behind it, and ways to run the CLI:
// in-process with its output captured, and as a real process.
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildGateway, loadConfig, type AppConfig } from "@switchyard/gateway";
import { REPO_ROOT, startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance } from "fastify";
import { run } from "../src/cli.js";

/** The gateway's own defaults (so a new setting needs no change here), quiet and quick to discover. */
async function testConfig(env: Record<string, string>): Promise<AppConfig> {
  const config = await loadConfig({ LOG_LEVEL: "silent", DISCOVERY_INTERVAL_MS: "200", ...env });
  return { ...config, adminOnMainPort: true };
}

export interface Stack {
  ns: NatsServer;
  nc: NatsConnection;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** `env`: more gateway settings, e.g. ACCEPT_SERVICE_CONTRACTS to serve contracts the gateway was not built with. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const ns = await startNatsServer();
  const nc = await connect({ servers: ns.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const app = buildGateway({ nc, services: contractFiles.flatMap((f) => f.services), config: await testConfig(env) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    ns,
    nc,
    app,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      if (!nc.isClosed()) await nc.close();
      await ns.stop();
    },
  };
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a function: what it would print, and its exit code. No SWITCHYARD_* from the caller;
 * stdout is not a terminal, and `stdin` is all there is to read.
 */
export async function cli(args: readonly string[], env: Record<string, string> = {}, stdin = ""): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    stdoutIsTTY: false,
    readStdin: async () => stdin,
    onInterrupt: () => () => undefined,
  });
  return { code, stdout, stderr };
}

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/** The CLI as a real process, as a user runs it (stdout a pipe, not a terminal): exit code and both streams. */
export async function subprocess(args: readonly string[]): Promise<Outcome> {
  const env = { ...process.env };
  delete env["SWITCHYARD_GATEWAY"];
  delete env["SWITCHYARD_ADMIN"];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", main, ...args], {
      cwd: REPO_ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
