import { readFile } from "node:fs/promises";
import { credsAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";
import { ConfigError } from "./config-error.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * NATS connection options from the environment variables every Switchyard process reads:
 * NATS_URL (comma-separated for a cluster), NATS_CREDS, NATS_USER + NATS_PASSWORD, NATS_TOKEN.
 */
export async function natsOptionsFromEnv(env: Env, name: string): Promise<NodeConnectionOptions> {
  const servers = (env["NATS_URL"] ?? "nats://127.0.0.1:4222")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (servers.length === 0) throw new ConfigError("NATS_URL", "must name at least one server");
  for (const server of servers) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+$|^[^\s:/]+:\d+$/.test(server)) {
      throw new ConfigError("NATS_URL", `"${server}" is not a NATS server URL (nats://host:port)`);
    }
  }

  const options: NodeConnectionOptions = {
    servers,
    name,
    // Long-lived processes keep trying: a restarted nats-server is picked up again on its own.
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    // nats.js captures two Error objects per request for async stack traces; that costs a quarter of
    // the gateway's throughput, and our errors are mapped by code, not by stack.
    noAsyncTraces: true,
  };

  const user = env["NATS_USER"];
  const password = env["NATS_PASSWORD"];
  const token = env["NATS_TOKEN"];
  const credsFile = env["NATS_CREDS"];
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError(user === undefined ? "NATS_USER" : "NATS_PASSWORD", "NATS_USER and NATS_PASSWORD go together");
  }
  if (user !== undefined && password !== undefined) {
    options.user = user;
    options.pass = password;
  }
  if (token !== undefined) options.token = token;
  if (credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = await readFile(credsFile);
    } catch (err) {
      throw new ConfigError("NATS_CREDS", `cannot read ${credsFile}: ${(err as Error).message}`);
    }
    options.authenticator = credsAuthenticator(creds);
  }
  return options;
}
