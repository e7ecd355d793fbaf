import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { redactNatsUrl } from "./nats-url.js";
import { probeTlsRejection } from "./nats-tls-probe.js";

/** Why a process could not connect: its credentials or its TLS settings, or anything else. */
export type NatsConnectFailure = "auth" | "tls" | "other";

/** A connection that retrying cannot fix; the message is one log line naming the cause. */
export class NatsConnectError extends Error {
  override readonly name = "NatsConnectError";

  constructor(
    readonly reason: NatsConnectFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  static is(err: unknown): err is NatsConnectError {
    return err instanceof Error && err.name === "NatsConnectError";
  }
}

/** Where connectNats writes: waiting for a server (info), and errors the server reports later (error). */
export interface NatsLog {
  info(line: string): void;
  error(line: string): void;
}

export interface ConnectNatsSettings {
  /** Between attempts while no server answers (default 1 s). */
  retryMs?: number;
  /** At most one "still waiting" line per this window (default 10 s). */
  logEveryMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * Connects with the options of natsOptionsFromEnv. A server that is not up yet (refused,
 * unreachable, not resolvable, silent) is waited for, with a log line at the first failure and
 * then one per window: processes may start before NATS, as in `make up` and compose. Refused
 * credentials and TLS failures are final: the promise rejects with a NatsConnectError whose message
 * is the one line to log. Once connected, reconnects are nats.js's (options.maxReconnectAttempts),
 * and every error the server reports on the connection (a permissions violation) is logged.
 * Passwords in URLs never reach `log`.
 */
export async function connectNats(
  options: NodeConnectionOptions,
  log: NatsLog,
  settings: ConnectNatsSettings = {},
): Promise<NatsConnection> {
  const retryMs = settings.retryMs ?? 1000;
  const logEveryMs = settings.logEveryMs ?? 10_000;
  const servers = [options.servers ?? "127.0.0.1:4222"].flat();
  const where = `NATS ${servers.map(redactNatsUrl).join(",")}`;
  let loggedAt = -Infinity;
  let waiting = false;
  for (;;) {
    try {
      const nc = await connect({ ...options, waitOnFirstConnect: false });
      if (waiting) log.info(`${where}: connected to ${nc.getServer()}`);
      logServerErrors(nc, log);
      return nc;
    } catch (err) {
      const failure = await classify(err, options, servers[0] ?? "");
      if (failure.reason !== undefined) throw new NatsConnectError(failure.reason, `${where}: ${failure.text}`, { cause: err });
      waiting = true;
      if (Date.now() - loggedAt >= logEveryMs) {
        loggedAt = Date.now();
        log.info(`${where}: ${failure.text}; still trying (every ${retryMs / 1000} s)`);
      }
      await sleep(retryMs);
    }
  }
}

/** What to say about a failed attempt, and whether it is final (a reason) or worth retrying. */
async function classify(
  err: unknown,
  options: NodeConnectionOptions,
  firstServer: string,
): Promise<{ reason?: NatsConnectFailure; text: string }> {
  const error = err instanceof Error ? err : new Error(String(err));
  const cause = error.cause instanceof Error ? (error.cause as NodeJS.ErrnoException) : undefined;
  const code = (error as NodeJS.ErrnoException).code ?? cause?.code ?? "";

  if (error.name === "AuthorizationError" || error.name === "UserAuthenticationExpiredError") {
    return { reason: "auth", text: `${credentialsOf(options)} refused: ${error.message}` };
  }
  if (isTlsCode(code)) return { reason: "tls", text: `TLS failed: ${tlsText(code, error.message, options)}` };
  if (error.message === "server does not support 'tls'") {
    return { reason: "tls", text: "TLS is configured (NATS_TLS_CA, NATS_TLS_CERT) but the server does not offer it" };
  }
  if (error.name === "InvalidArgumentError" && /tls/i.test(error.message)) return { reason: "tls", text: `TLS failed: ${error.message}` };
  if (error.name === "TimeoutError") {
    const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const rejection = await probeTlsRejection(firstServer, options, timeoutMs);
    if (rejection !== undefined) return { reason: "tls", text: `TLS failed: ${rejection}` };
    return { text: `no answer within ${timeoutMs} ms` };
  }
  if (RETRYABLE_CODES.has(code)) return { text: code === "ECONNREFUSED" ? "connection refused" : `${code}: ${cause?.message ?? error.message}` };
  if (error.name === "ConnectionError") return { text: error.message };
  return { reason: "other", text: `${error.name}: ${error.message}` };
}

/** The network failing, or the server not being up yet: worth waiting for. */
const RETRYABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE"]);

/** OpenSSL's and Node's codes for a failed handshake or a certificate not accepted. */
const TLS_CODE = /^ERR_SSL_|^ERR_TLS_|CERT|ISSUER|SELF_SIGNED|LEAF_SIGNATURE|UNTRUSTED|HOSTNAME_MISMATCH|^CRL_/;

function isTlsCode(code: string): boolean {
  return TLS_CODE.test(code);
}

/** What a server that verifies clients answers a missing or untrusted certificate with. */
const CLIENT_CERTIFICATE_ALERTS = new Set(["bad certificate", "certificate required", "unknown ca", "certificate unknown"]);

function tlsText(code: string, message: string, options: NodeConnectionOptions): string {
  if (/ISSUER|SELF_SIGNED|LEAF_SIGNATURE|UNTRUSTED/.test(code)) {
    return `the server's certificate is not signed by a CA this process trusts (${message}): set NATS_TLS_CA to the CA that signed it`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH") {
    return `the server's certificate does not name the host in NATS_URL (${message})`;
  }
  const alert = /ALERT_(.+)$/.exec(code)?.[1]?.toLowerCase().replaceAll("_", " ");
  if (alert !== undefined && !CLIENT_CERTIFICATE_ALERTS.has(alert)) return `the server refused the TLS handshake (TLS alert: ${alert})`;
  if (alert !== undefined) {
    return options.tls?.cert === undefined
      ? `the server requires a client certificate (TLS alert: ${alert}): set NATS_TLS_CERT and NATS_TLS_KEY`
      : `the server rejected the client certificate in NATS_TLS_CERT (TLS alert: ${alert})`;
  }
  return message;
}

/** Whose credentials the server refused, without their secret. */
function credentialsOf(options: NodeConnectionOptions): string {
  if (options.user !== undefined) return `the credentials of user "${options.user}" (NATS_USER, NATS_PASSWORD) were`;
  if (options.token !== undefined) return "the token (NATS_TOKEN) was";
  if (options.authenticator !== undefined) return "the credentials (NATS_CREDS) were";
  return "no credentials were given (set NATS_USER and NATS_PASSWORD, NATS_CREDS or NATS_TOKEN), so the connection was";
}

/**
 * Logs the errors the server sends on a live connection, a permissions violation naming its
 * subject above all: a subscription or publish the credentials do not allow fails only there.
 * At most one line a second, with a count of the lines left out.
 */
function logServerErrors(nc: NatsConnection, log: NatsLog): void {
  let lastAt = -Infinity;
  let skipped = 0;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== "error") continue;
      if (Date.now() - lastAt < 1000) {
        skipped++;
        continue;
      }
      lastAt = Date.now();
      log.error(`NATS error: ${status.error.message}${skipped === 0 ? "" : ` (${skipped} more since the last line)`}`);
      skipped = 0;
    }
  })();
}
