/** HTTP to the gateway: base URLs, one request with a timeout, and failures as one clear line. */

/** A failure to report as one line, with the process's exit code (2: a usage error, 1: otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface HttpReply {
  url: string;
  status: number;
  statusText: string;
  contentType: string;
  text: string;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Ends the request early, as Ctrl-C does in `top`. */
  signal?: AbortSignal;
}

/** `http://host:3000/` → `http://host:3000`; anything but an http(s) URL is a usage error. */
export function parseBaseUrl(raw: string, source: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`${source}: ${JSON.stringify(raw)} is not a URL (e.g. http://127.0.0.1:3000)`, 2);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`${source}: ${JSON.stringify(raw)} is not an http or https URL`, 2);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new CliError(`${source}: ${JSON.stringify(raw)} must not have a query or a fragment`, 2);
  }
  return url.href.replace(/\/+$/, "");
}

/** Sends one request to `base + path`; an unreachable or silent server is a CliError naming `base`. */
export async function send(base: string, path: string, options: RequestOptions): Promise<HttpReply> {
  const url = base + path;
  let response: Response;
  let text: string;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await fetch(url, {
      method: options.method,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      redirect: "manual",
      signal: options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]),
    });
    text = await response.text();
  } catch (err) {
    if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
      throw new CliError(`no answer from the gateway at ${base} within ${options.timeoutMs} ms (--timeout)`);
    }
    throw new CliError(`cannot reach the gateway at ${base}: ${networkFailure(err)}; is it running? (make up)`);
  }
  return {
    url,
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get("content-type") ?? "",
    text,
  };
}

/** The JSON body of a reply, or undefined when it has none or it is not JSON. */
export function jsonOf(reply: HttpReply): unknown {
  if (reply.text === "" || !/[/+]json\b/i.test(reply.contentType)) return undefined;
  try {
    return JSON.parse(reply.text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch's "fetch failed" hides the reason in `cause`: `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`. */
function networkFailure(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const first = cause instanceof AggregateError ? cause.errors[0] : undefined;
  for (const candidate of [cause, first]) {
    if (typeof candidate === "object" && candidate !== null) {
      const { code, syscall } = candidate as { code?: unknown; syscall?: unknown };
      if (typeof code === "string") return `${typeof syscall === "string" ? syscall : "connect"} ${code}`;
    }
  }
  if (cause instanceof Error && cause.message !== "") return cause.message;
  return err instanceof Error ? err.message : String(err);
}
