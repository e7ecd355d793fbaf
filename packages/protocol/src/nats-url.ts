/**
 * NATS server URLs as NATS_URL lists them: `nats://host:port`, `tls://host:port`, `ws(s)://...` or
 * `host:port`, with optional credentials (`nats://user:password@host:port`, `nats://token@host`).
 */
const SERVER_URL = /^(nats|tls|ws|wss):\/\/[^\s/]+$|^[^\s:/]+:\d+$/;

/** Whether `server` is one entry NATS_URL may hold. */
export function isNatsServerUrl(server: string): boolean {
  return SERVER_URL.test(server);
}

/**
 * The URL with its password (or token) replaced by `***`, for log lines and error messages:
 * `nats://gateway:***@127.0.0.1:4222`. A URL without credentials comes back unchanged.
 */
export function redactNatsUrl(server: string): string {
  return server.replace(/^([a-z]+:\/\/)([^@/\s]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** The credentials a URL carries, and the URL without them. */
export interface UrlCredentials {
  server: string;
  user?: string;
  password?: string;
  token?: string;
}

/**
 * Splits the credentials off a server URL: nats.js (unlike nats-pure) does not read them from the
 * URL, so the options carry them instead.
 */
export function splitUrlCredentials(server: string): UrlCredentials {
  const match = /^([a-z]+:\/\/)([^@/\s]*)@(.*)$/i.exec(server);
  if (match === null) return { server };
  const [, scheme = "", userinfo = "", rest = ""] = match;
  const colon = userinfo.indexOf(":");
  const stripped = `${scheme}${rest}`;
  if (colon === -1) return { server: stripped, token: decodeURIComponent(userinfo) };
  return {
    server: stripped,
    user: decodeURIComponent(userinfo.slice(0, colon)),
    password: decodeURIComponent(userinfo.slice(colon + 1)),
  };
}
