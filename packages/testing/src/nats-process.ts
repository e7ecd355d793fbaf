/** Starting one nats-server process from a configuration file and learning its port, for one server or a cluster's node. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Starts `binary -c config` and resolves once it has written its ports file into `dir`; rejects
 * with the server's own words when it exits first, and with how to install it when it is missing.
 */
export async function launch(
  binary: string,
  config: string,
  dir: string,
  timeoutMs: number,
): Promise<{ child: ChildProcess; port: number; monitorPort: number | undefined }> {
  const child = spawn(binary, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const early = new Promise<never>((_, reject) => {
    child.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "ENOENT"
          ? new Error(
              `nats-server not found ("${binary}"): install it (apt-get install nats-server) or set NATS_SERVER_BIN`,
            )
          : err,
      );
    });
    child.once("exit", (code, signal) => {
      reject(new Error(`nats-server exited early (code ${code}, signal ${signal}):\n${stderr}`));
    });
  });
  early.catch(() => undefined);

  const deadline = Date.now() + timeoutMs;
  const ready = (async () => {
    for (;;) {
      const ports = await readPorts(dir, child.pid);
      if (ports !== undefined) return ports;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`nats-server did not report a port within ${timeoutMs} ms:\n${stderr}`);
      }
      await sleep(25);
    }
  })();

  const { port, monitorPort } = await Promise.race([ready, early]);
  return { child, port, monitorPort };
}

/**
 * nats-server writes `<binary>_<pid>.ports` once it listens:
 * {"nats": ["nats://127.0.0.1:port"], "monitoring": ["http://127.0.0.1:port"]} (the latter with an `http` port).
 */
async function readPorts(dir: string, pid: number | undefined): Promise<{ port: number; monitorPort: number | undefined } | undefined> {
  if (pid === undefined) return undefined;
  const name = (await readdir(dir)).find((f) => f.endsWith(`_${pid}.ports`));
  if (name === undefined) return undefined;
  try {
    const ports = JSON.parse(await readFile(join(dir, name), "utf8")) as { nats?: string[]; monitoring?: string[] };
    const url = ports.nats?.[0];
    if (url === undefined) return undefined;
    const monitor = ports.monitoring?.[0];
    return { port: Number(new URL(url).port), monitorPort: monitor === undefined ? undefined : Number(new URL(monitor).port) };
  } catch {
    return undefined;
  }
}

export async function removePortsFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.endsWith(".ports")) await rm(join(dir, name), { force: true });
  }
}
