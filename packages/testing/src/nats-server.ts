import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, removePortsFiles } from "./nats-process.js";

export interface NatsServerOptions {
  /** Enable JetStream with a temporary store (default true). */
  jetstream?: boolean;
  /** JetStream file storage limit in MB (default 256: enough for tests, not for a long load). */
  jetstreamMaxFileMb?: number;
  /** Fixed port; by default the server picks a free one (port -1) and reports it in a ports file. */
  port?: number;
  /** The nats-server binary (default: NATS_SERVER_BIN or `nats-server` on PATH). */
  binary?: string;
  /** How long to wait for the server to listen. */
  startTimeoutMs?: number;
  /**
   * More configuration, appended as it is: an authorization block, a `tls {}` block, or
   * `include "<file>"` of one (the auth.conf writeNatsCredentials writes, say).
   */
  extraConfig?: string;
}

/** A real nats-server owned by a test: started on a random port, removed with its store on stop(). */
export interface NatsServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM) and keeps its store, so restart() resumes JetStream state. */
  kill(): Promise<void>;
  /** Starts the server again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops the server and deletes its temporary folder. */
  stop(): Promise<void>;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const binary = options.binary ?? process.env["NATS_SERVER_BIN"] ?? "nats-server";
  const dir = await mkdtemp(join(tmpdir(), "switchyard-nats-"));
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;

  const writeConfig = async (port: number): Promise<string> => {
    const lines = [
      `listen: "127.0.0.1:${port}"`,
      `ports_file_dir: "${dir}"`,
      `pid_file: "${join(dir, "nats.pid")}"`,
    ];
    if (options.jetstream ?? true) {
      lines.push(`jetstream { store_dir: "${join(dir, "js")}", max_mem: 64MB, max_file: ${options.jetstreamMaxFileMb ?? 256}MB }`);
    }
    if (options.extraConfig !== undefined) lines.push(options.extraConfig);
    const path = join(dir, "nats.conf");
    await writeFile(path, lines.join("\n") + "\n");
    return path;
  };

  let child: ChildProcess;
  let port: number;
  try {
    ({ child, port } = await launch(binary, await writeConfig(options.port ?? -1), dir, startTimeoutMs));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
    await removePortsFiles(dir);
  };

  const server: NatsServer = {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get pid() {
      return child.pid ?? -1;
    },
    kill,
    async restart() {
      await kill();
      ({ child } = await launch(binary, await writeConfig(port), dir, startTimeoutMs));
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
    async [Symbol.asyncDispose]() {
      await server.stop();
    },
  };
  return server;
}
