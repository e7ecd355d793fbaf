// What the streaming tests share: an HTTP client that reads a streamed response as it comes and can
// walk away mid-stream, a counter of the stream messages services put on the wire, and users stored
// as any implementation stores them.
import assert from "node:assert/strict";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { create, toBinary } from "@bufbuild/protobuf";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { UserSchema } from "@switchyard/contracts";
import { StreamHeaders, streamReplySubjects } from "@switchyard/protocol";

/** A streamed HTTP response, read as it arrives. */
export class HttpStream {
  body = "";
  ended = false;
  private wake: (() => void) | undefined;

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
    private readonly destroySocket: () => void,
  ) {}

  /** Resolves once the response's status and headers came. */
  static open(url: string, headers: Record<string, string> = {}): Promise<HttpStream> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers }, (res) => {
        const stream = new HttpStream(res.statusCode ?? 0, res.headers, () => req.destroy());
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          stream.body += chunk;
          stream.wake?.();
        });
        res.on("end", () => {
          stream.ended = true;
          stream.wake?.();
        });
        res.on("error", () => undefined);
        resolve(stream);
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** The body's complete lines so far. */
  get lines(): string[] {
    return this.body.split("\n").slice(0, -1);
  }

  /** Waits until `done` holds of the body (or the response ends); fails after `ms`. */
  async until(done: (stream: HttpStream) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done(this) && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`the response did not get there within ${ms} ms; so far: ${JSON.stringify(this.body.slice(-500))}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, left);
      });
    }
  }

  /** The whole body, once the response ended. */
  async text(ms = 5000): Promise<string> {
    await this.until(() => false, ms);
    return this.body;
  }

  /** The client goes away: its connection is closed. */
  destroy(): void {
    this.destroySocket();
  }
}

/** The NDJSON lines of a body, parsed. */
export function ndjson(body: string): Record<string, unknown>[] {
  return body
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The server-sent events of a body: each one's fields. */
export function events(body: string): { id?: string; event?: string; data: string }[] {
  return body
    .split("\n\n")
    .filter((block) => block !== "")
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split("\n")) {
        const colon = line.indexOf(": ");
        fields[line.slice(0, colon)] = line.slice(colon + 2);
      }
      return { ...(fields["id"] === undefined ? {} : { id: fields["id"] }), ...(fields["event"] === undefined ? {} : { event: fields["event"] }), data: fields["data"] ?? "" };
    });
}

/**
 * Counts the messages of users.v1.UserService streams the services send to the gateway (under its
 * default inbox prefix), as they cross NATS: what the services produced, whoever reads it.
 */
export function countStreamMessages(nc: NatsConnection): { readonly count: number; stop(): void } {
  let count = 0;
  const sub = nc.subscribe(streamReplySubjects("_INBOX", "users.v1.UserService"), {
    callback: (_err, msg) => {
      if (msg.headers?.has(StreamHeaders.seq)) count++;
    },
  });
  return {
    get count() {
      return count;
    },
    stop: () => sub.unsubscribe(),
  };
}

/** Stores users under these ids (`user.<id>` = the binary message) once the bucket exists. */
export async function storeUsers(nc: NatsConnection, ids: readonly string[]): Promise<void> {
  const kv = await usersBucket(nc);
  await Promise.all(ids.map((id) => kv.put(`user.${id}`, toBinary(UserSchema, create(UserSchema, { id, firstName: `User ${id}`, lastName: "Stream" })))));
}

/** The users bucket, once a users instance has made it. */
async function usersBucket(nc: NatsConnection): Promise<KV> {
  for (let tries = 0; ; tries++) {
    try {
      const kv = await new Kvm(nc).open("users");
      await kv.status();
      return kv;
    } catch (err) {
      if (tries > 50) throw err;
      await sleep(100);
    }
  }
}

/** `<prefix>-0001`, `<prefix>-0002`, ...: ids that sort by number. */
export function numberedIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(4, "0")}`);
}

/**
 * The disconnect test of one implementation: a client reads the first message of a long stream and
 * goes away; within a second the service says it stopped (`stopped()` finds its log line), and the
 * messages it sends stop growing, well short of the whole stream.
 */
export async function assertDisconnectStopsTheStream(
  url: string,
  nc: NatsConnection,
  total: number,
  stopped: () => boolean,
): Promise<{ sent: number; ms: number }> {
  const wire = countStreamMessages(nc);
  try {
    const client = await HttpStream.open(url);
    assert.equal(client.status, 200);
    await client.until((s) => s.lines.length >= 1);
    client.destroy();
    const gone = Date.now();
    while (!stopped()) {
      assert.ok(Date.now() - gone < 1000, "the service did not stop its stream within a second of the client's disconnect");
      await sleep(10);
    }
    const ms = Date.now() - gone;
    await sleep(Math.max(0, 1000 - ms));
    const sent = wire.count;
    await sleep(500);
    assert.equal(wire.count, sent, "the service kept sending after it stopped");
    assert.ok(sent < total, `the service sent ${sent} of ${total} messages: the stream was not cut short`);
    return { sent, ms };
  } finally {
    wire.stop();
  }
}
