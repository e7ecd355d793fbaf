import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { StreamUsersRequestSchema, StreamUsersResponseSchema, UserService } from "@switchyard/contracts";
import { Headers, STREAM_IDLE_MS, STREAM_WINDOW, StreamHeaders } from "@switchyard/protocol";
import { serve, ServiceError, type RunningService } from "@switchyard/service";
import { startNatsServer, StreamCall, type NatsServer } from "@switchyard/testing";

const SUBJECT = "users.v1.UserService.StreamUsers";

/** One StreamUsers call, its handler chosen by `afterId`. */
class StreamClient extends StreamCall {
  constructor(nc: NatsConnection, afterId: string, headers: Record<string, string> = {}) {
    super(nc, SUBJECT, toBinary(StreamUsersRequestSchema, create(StreamUsersRequestSchema, { afterId })), headers);
  }

  override receive(count: number, ms = 2000): Promise<Msg[]> {
    return super.receive(count, ms);
  }

  override toEnd(ms = 2000): Promise<Msg[]> {
    return super.toEnd(ms);
  }
}

function userIdOf(msg: Msg): string | undefined {
  return fromBinary(StreamUsersResponseSchema, msg.data).user?.id;
}

describe("serve: server-streaming RPCs", () => {
  let ns: NatsServer;
  let nc: NatsConnection;
  let svc: RunningService;
  const logged: string[] = [];
  /** Every message a handler produced, and how each stream's generator ended. */
  let produced = 0;
  const finished: string[] = [];

  before(async () => {
    ns = await startNatsServer({ jetstream: false });
    nc = await connect({ servers: ns.url });
    svc = await serve({
      nc,
      service: UserService,
      name: "sdk-stream",
      version: "0.0.1",
      logger: { info: (message) => logged.push(message), error: (message) => logged.push(message) },
      implementation: {
        // The request's after_id picks what the stream does: "count-<n>", "forever", "fail-<n>", "http", "wait".
        async *streamUsers(request, context) {
          const [mode, arg] = request.afterId.split("-");
          const n = Number(arg ?? "0");
          try {
            if (mode === "http") context.respondWith({ status: 206, headers: { "x-stream": "yes" } });
            if (mode === "wait") {
              yield { user: { id: "u1" } };
              await new Promise((_, reject) => context.signal.addEventListener("abort", () => reject(context.signal.reason)));
            }
            for (let i = 1; mode === "forever" || i <= n || mode === "http"; i++) {
              produced++;
              yield { user: { id: `u${i}` } };
              if (mode === "http") return;
            }
            if (mode === "fail") throw new ServiceError("NOT_FOUND", "no user", "after_id");
          } finally {
            finished.push(request.afterId);
          }
        },
      },
    });
  });
  after(async () => {
    await nc.close();
    await ns.stop();
  });

  it("sends the messages in order, numbered, then the end of the stream", async () => {
    const stream = new StreamClient(nc, "count-3");
    const messages = await stream.toEnd();
    stream.close();
    assert.deepEqual(messages.slice(0, 3).map(userIdOf), ["u1", "u2", "u3"]);
    assert.deepEqual(messages.slice(0, 3).map((m) => m.headers?.get(StreamHeaders.seq)), ["1", "2", "3"]);
    const end = messages[3]!;
    assert.equal(end.headers?.get(StreamHeaders.end), "3");
    assert.equal(end.data.length, 0);
    assert.equal(end.headers?.has(Headers.serviceErrorCode), false);
    assert.match(messages[0]!.headers?.get(StreamHeaders.control) ?? "", /^_INBOX\.stream\.\w+\.\w+$/);
    assert.equal(messages[1]!.headers?.has(StreamHeaders.control), false);
    for (const msg of messages) assert.equal(msg.headers?.get(Headers.deployment), "sdk-stream-ts");
  });

  it("sends an empty stream as its end alone, naming the control subject", async () => {
    const stream = new StreamClient(nc, "count-0");
    const [end] = await stream.receive(1);
    stream.close();
    assert.equal(end!.headers?.get(StreamHeaders.end), "0");
    assert.ok(end!.headers?.get(StreamHeaders.control));
  });

  it("sends no more than the window before credit, and more as the caller acks", async () => {
    const stream = new StreamClient(nc, "count-40");
    await stream.receive(STREAM_WINDOW);
    await sleep(300);
    assert.equal(stream.messages.length, STREAM_WINDOW, "the service waits for credit");
    stream.ack(4);
    await stream.receive(STREAM_WINDOW + 4);
    await sleep(200);
    assert.equal(stream.messages.length, STREAM_WINDOW + 4, "credit for 4 more, no more");
    const rest = await stream.toEnd();
    stream.close();
    assert.equal(rest.length, 41);
    assert.deepEqual(
      rest.slice(0, 40).map((m) => Number(m.headers?.get(StreamHeaders.seq))),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it("ends with the error a handler throws mid-stream, as a unary error reply carries it", async () => {
    const stream = new StreamClient(nc, "fail-2");
    const messages = await stream.toEnd();
    stream.close();
    assert.equal(messages.length, 3);
    const end = messages[2]!;
    assert.equal(end.headers?.get(StreamHeaders.end), "2");
    assert.equal(end.headers?.get(Headers.serviceErrorCode), "404");
    assert.equal(end.headers?.get(Headers.errorReason), "NOT_FOUND");
    assert.equal(end.headers?.get(Headers.errorField), "after_id");
    assert.equal(end.headers?.get(Headers.serviceError), "no user");
  });

  it("ends with the error before any message, naming the control subject", async () => {
    const stream = new StreamClient(nc, "fail-0");
    const [end] = await stream.receive(1);
    stream.close();
    assert.equal(end!.headers?.get(StreamHeaders.end), "0");
    assert.equal(end!.headers?.get(Headers.errorReason), "NOT_FOUND");
    assert.ok(end!.headers?.get(StreamHeaders.control));
  });

  it("answers bytes that are not the request as INVALID_ARGUMENT, as the end of the stream", async () => {
    const reply = await nc.request(SUBJECT, new Uint8Array([0xff, 0xff, 0xff]));
    assert.equal(reply.headers?.get(Headers.errorReason), "INVALID_ARGUMENT");
    assert.equal(reply.headers?.get(StreamHeaders.end), "0");
  });

  it("puts the HTTP status and headers the handler asked for on the first message", async () => {
    const stream = new StreamClient(nc, "http");
    const [first] = await stream.toEnd();
    stream.close();
    assert.equal(first!.headers?.get(Headers.httpStatus), "206");
    assert.equal(first!.headers?.get(`${Headers.httpHeaderPrefix}x-stream`), "yes");
    assert.equal(first!.headers?.get(StreamHeaders.seq), "1");
  });

  it("stops the handler on cancel: nothing more is produced or sent, and it is logged", async () => {
    const before = produced;
    const stream = new StreamClient(nc, "forever");
    await stream.receive(STREAM_WINDOW);
    stream.cancel();
    stream.ack(1_000_000);
    await sleep(300);
    const count = stream.messages.length;
    const made = produced;
    assert.ok(finished.includes("forever"), "the generator returned");
    await sleep(300);
    assert.equal(stream.messages.length, count, "no message after the cancel");
    assert.equal(produced, made, "production stopped");
    assert.ok(made - before <= STREAM_WINDOW + 1, `produced ${made - before}`);
    assert.equal(stream.messages.at(-1)?.headers?.has(StreamHeaders.end), false, "a cancelled stream sends no end");
    assert.ok(logged.some((line) => /StreamUsers: stream cancelled by the caller after 16 messages/.test(line)), logged.join("\n"));
    stream.close();
  });

  it("aborts the context's signal on cancel, for a handler waiting on something else", async () => {
    const stream = new StreamClient(nc, "wait");
    await stream.receive(1);
    stream.cancel();
    await sleep(200);
    stream.close();
    assert.ok(finished.includes("wait"), "the handler stopped waiting");
    assert.equal(stream.messages.length, 1);
  });

  it("aborts the context's signal at the deadline, and ends with DEADLINE_EXCEEDED", async () => {
    const stream = new StreamClient(nc, "wait", { [Headers.timeoutMs]: "200" });
    const [, end] = await stream.receive(2);
    stream.close();
    assert.equal(end!.headers?.get(Headers.errorReason), "DEADLINE_EXCEEDED");
    assert.equal(end!.headers?.get(StreamHeaders.end), "1");
  });

  it("ends with DEADLINE_EXCEEDED when the deadline comes mid-stream", async () => {
    const stream = new StreamClient(nc, "forever", { [Headers.timeoutMs]: "300" });
    await stream.receive(STREAM_WINDOW);
    const messages = await stream.receive(STREAM_WINDOW + 1);
    stream.close();
    const end = messages[STREAM_WINDOW]!;
    assert.equal(end.headers?.get(Headers.errorReason), "DEADLINE_EXCEEDED");
    assert.equal(end.headers?.get(StreamHeaders.end), String(STREAM_WINDOW));
  });

  it("stops waiting for credit when the caller is silent for the idle time", { timeout: STREAM_IDLE_MS + 5000 }, async () => {
    const started = Date.now();
    const stream = new StreamClient(nc, "forever");
    const messages = await stream.receive(STREAM_WINDOW + 1, STREAM_IDLE_MS + 2000);
    stream.close();
    const end = messages[STREAM_WINDOW]!;
    assert.equal(end.headers?.get(Headers.errorReason), "CANCELLED");
    assert.ok(Date.now() - started >= STREAM_IDLE_MS - 100, `stopped after ${Date.now() - started} ms`);
  });

  it("ends the streams still open with UNAVAILABLE when the instance stops", async () => {
    const stream = new StreamClient(nc, "forever");
    await stream.receive(STREAM_WINDOW);
    await svc.stop();
    const messages = await stream.receive(STREAM_WINDOW + 1);
    stream.close();
    assert.equal(messages[STREAM_WINDOW]!.headers?.get(Headers.errorReason), "UNAVAILABLE");
  });
});
