import { createConnection, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import type { NodeConnectionOptions } from "@nats-io/transport-node";

/**
 * Why a TLS server stopped answering, when nats.js can only say "timeout": with TLS 1.3 the server
 * checks the client's certificate after the client considers the handshake done, and its alert
 * closes a connection nats.js then waits on until its connect timeout. This probe reads the
 * server's INFO, and when the server verifies clients, repeats the handshake with the same
 * settings to catch that alert. Returns the cause, or undefined when TLS is not to blame.
 */
export async function probeTlsRejection(server: string, options: NodeConnectionOptions, timeoutMs: number): Promise<string | undefined> {
  const address = hostPort(server);
  if (address === undefined) return undefined;
  const socket = createConnection(address.port, address.host);
  socket.setTimeout(timeoutMs, () => socket.destroy());
  try {
    const info = await readInfo(socket);
    if (info === undefined || info["tls_verify"] !== true) return undefined;
    const tls = options.tls ?? {};
    if (tls.cert === undefined && tls.certFile === undefined) {
      return "the server requires a client certificate (TLS verify): set NATS_TLS_CERT and NATS_TLS_KEY";
    }
    const alert = await handshakeAlert(socket, address.host, options, timeoutMs);
    return alert === undefined ? undefined : `the server rejected the client certificate in NATS_TLS_CERT (${alert})`;
  } catch {
    return undefined;
  } finally {
    socket.destroy();
  }
}

function hostPort(server: string): { host: string; port: number } | undefined {
  const match = /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?([^:/]+):(\d+)$/i.exec(server);
  return match === null ? undefined : { host: match[1] ?? "", port: Number(match[2]) };
}

/** The server's INFO as JSON, the first line it sends on a plain connection. */
function readInfo(socket: Socket): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    let text = "";
    const done = (info: Record<string, unknown> | undefined) => {
      socket.removeAllListeners("data");
      resolve(info);
    };
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const end = text.indexOf("\r\n");
      if (end === -1) return;
      try {
        done(text.startsWith("INFO ") ? (JSON.parse(text.slice(5, end)) as Record<string, unknown>) : undefined);
      } catch {
        done(undefined);
      }
    });
    socket.once("error", () => done(undefined));
    socket.once("close", () => done(undefined));
  });
}

/** The alert the server answers this client's certificate with, if one comes within the timeout. */
function handshakeAlert(socket: Socket, host: string, options: NodeConnectionOptions, timeoutMs: number): Promise<string | undefined> {
  const { ca, cert, key } = options.tls ?? {};
  return new Promise((resolve) => {
    let secure: TLSSocket | undefined;
    const timer = setTimeout(() => finish(undefined), Math.min(timeoutMs, 2000));
    const finish = (alert: string | undefined) => {
      clearTimeout(timer);
      secure?.destroy();
      resolve(alert);
    };
    secure = tlsConnect({ socket, ...(isIP(host) === 0 ? { servername: host } : {}), ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) });
    secure.on("error", (err: NodeJS.ErrnoException) => finish(alertName(err)));
    secure.on("close", () => finish(undefined));
  });
}

/** `ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE` -> `TLS alert: bad certificate`. */
function alertName(err: NodeJS.ErrnoException): string {
  const match = /ALERT_(.+)$/.exec(err.code ?? "");
  return match === null ? err.message : `TLS alert: ${(match[1] ?? "").toLowerCase().replaceAll("_", " ")}`;
}
