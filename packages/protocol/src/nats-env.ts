import { readFile } from "node:fs/promises";
import { credsAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";
import { ConfigError } from "./config-error.js";
import { isNatsServerUrl, redactNatsUrl, splitUrlCredentials } from "./nats-url.js";
import { natsTlsFromEnv } from "./nats-tls.js";
import { kvReplicasFromEnv } from "./kv-replicas.js";

type Env = Readonly<Record<string, string | undefined>>;

/** What an inbox prefix may be: subject tokens without wildcards, as nats.js and nats-pure check. */
const INBOX_PREFIX = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/**
 * NATS connection options from the environment variables every Switchyard process reads:
 * NATS_URL (comma-separated for a cluster; `user:password@` or `token@` in it are credentials),
 * NATS_CREDS, NATS_USER + NATS_PASSWORD, NATS_TOKEN, NATS_INBOX_PREFIX (where replies to this
 * process arrive: the subjects its credentials may subscribe to), and NATS_TLS_CA, NATS_TLS_CERT +
 * NATS_TLS_KEY (nats-tls.ts). Connect with connectNats, which waits for a server that is not up yet
 * and fails at once on refused credentials or TLS.
 */
export async function natsOptionsFromEnv(env: Env, name: string): Promise<NodeConnectionOptions> {
  const urls = (env["NATS_URL"] ?? "nats://127.0.0.1:4222")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (urls.length === 0) throw new ConfigError("NATS_URL", "must name at least one server");
  for (const url of urls) {
    if (!isNatsServerUrl(url)) {
      throw new ConfigError("NATS_URL", `"${redactNatsUrl(url)}" is not a NATS server URL (nats://host:port)`);
    }
  }
  const split = urls.map(splitUrlCredentials);

  const options: NodeConnectionOptions = {
    servers: split.map((s) => s.server),
    name,
    // Long-lived processes keep trying: a restarted nats-server is picked up again on its own.
    maxReconnectAttempts: -1,
    // A cluster's other servers are learnt from each server's INFO (nats.js keeps them unless
    // ignoreClusterUpdates). When a node goes away every client it had reconnects at once to
    // another; the jitter spreads their retries of one server over a second, so that they do not
    // arrive together at the node that restarts.
    reconnectTimeWait: 2000,
    reconnectJitter: 1000,
    reconnectJitterTLS: 1500,
    // A handshake (TCP, INFO, TLS, CONNECT, PONG) takes milliseconds; one that takes this long has
    // failed, and connectNats asks the server why (a TLS 1.3 server refusing a client certificate
    // leaves nats.js waiting for this timeout).
    timeout: 5000,
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
  } else if (token === undefined && credsFile === undefined) {
    Object.assign(options, urlCredentials(split));
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

  const inboxPrefix = env["NATS_INBOX_PREFIX"];
  if (inboxPrefix !== undefined && inboxPrefix !== "") {
    if (!INBOX_PREFIX.test(inboxPrefix)) {
      throw new ConfigError("NATS_INBOX_PREFIX", `"${inboxPrefix}" is not a subject prefix: tokens of letters, digits, '_', '-' or '$' joined by dots, no wildcards`);
    }
    options.inboxPrefix = inboxPrefix;
  }
  const tls = await natsTlsFromEnv(env);
  if (tls !== undefined) options.tls = tls;
  // Read where buckets are made (withKvReplicas); checked here so a bad value stops the process at start-up.
  kvReplicasFromEnv(env);
  return options;
}

/** The one set of credentials the URLs carry, if any: nats.js reads none from the URL itself. */
function urlCredentials(split: ReturnType<typeof splitUrlCredentials>[]): Pick<NodeConnectionOptions, "user" | "pass" | "token"> {
  const withCredentials = split.filter((s) => s.user !== undefined || s.token !== undefined);
  const [first] = withCredentials;
  if (first === undefined) return {};
  const same = withCredentials.every((s) => s.user === first.user && s.password === first.password && s.token === first.token);
  if (!same) throw new ConfigError("NATS_URL", "the servers carry different credentials; give one set in NATS_USER and NATS_PASSWORD");
  return first.token !== undefined ? { token: first.token } : { user: first.user ?? "", pass: first.password ?? "" };
}
