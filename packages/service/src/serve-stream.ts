import { create, toBinary, type DescMethod } from "@bufbuild/protobuf";
import type { ServiceMsg } from "@nats-io/services";
import type { MsgHdrs } from "@nats-io/transport-node";
import { methodSubject, StreamHeaders } from "@switchyard/protocol";
import { deadlineExceeded, isPast } from "./deadline.js";
import { requestFields, respondError, toServiceError } from "./error-reply.js";
import type { Logger } from "./logger.js";
import { STOPPED, type OpenStream } from "./open-stream.js";
import { RequestContext, type ContextShared } from "./request-context.js";
import { ServiceError } from "./service-error.js";
import { decodeRequest } from "./decode-request.js";
import type { StreamControls } from "./stream-controls.js";

type Handler = (request: unknown, context: RequestContext) => unknown;

/**
 * Answers one request of a server-streaming RPC (services/README.md, Streaming): the handler's
 * messages, numbered, each sent once the caller's credit allows, then the end-of-stream message with
 * the outcome. Resolves with the error the stream ended with, if any. A stream the caller cancelled
 * ends silently (the caller is gone) and is logged; one that stops for its deadline or for want of
 * credit ends with that error.
 */
export async function serveStream(
  method: DescMethod,
  handler: Handler | undefined,
  self: unknown,
  msg: ServiceMsg,
  shared: ContextShared,
  deadline: number | undefined,
  logger: Logger,
  controls: StreamControls,
): Promise<ServiceError | undefined> {
  const stream = controls.open(deadline);
  const out = new StreamOut(msg, method, stream, shared);
  let context: RequestContext | undefined;
  try {
    if (handler === undefined) throw new ServiceError("UNIMPLEMENTED", `${methodSubject(method)} is not implemented`);
    if (isPast(deadline)) throw deadlineExceeded("deadline exceeded before the request was handled");
    const request = decodeRequest(method.input, msg.data);
    context = new RequestContext(method, msg, shared, deadline, stream.signal);
    out.context = context;
    const stopped = await pump(handler.call(self, request, context) as AsyncIterable<unknown>, stream, out);
    if (stopped !== undefined && stream.cancelled) {
      logger.info(`${methodSubject(method)}: stream cancelled by the caller after ${out.sent} messages`, requestFields(msg));
      return stopped;
    }
    if (stopped !== undefined) throw stopped;
    out.end(undefined);
    return undefined;
  } catch (err) {
    const error = toServiceError(err, method, msg, logger);
    try {
      out.end(error);
    } catch (replyErr) {
      logger.error(`${methodSubject(method)}: cannot send the end of the stream`, replyErr);
    }
    return error;
  } finally {
    context?.dispose();
    controls.close(stream);
  }
}

/**
 * Pulls the handler's messages one at a time and sends each as credit allows, until the handler is
 * done (undefined) or the stream stops (why). A handler's error propagates. Unless the handler is
 * done, its iterator is then told to return, not awaited: a handler busy with something else
 * finishes at its next `yield`.
 */
async function pump(messages: AsyncIterable<unknown>, stream: OpenStream, out: StreamOut): Promise<ServiceError | undefined> {
  const iterator = messages[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      const next = await stream.until(iterator.next());
      if (next === STOPPED) return stream.stopReason;
      if (next.done === true) {
        done = true;
        return undefined;
      }
      if (!(await stream.credit(out.sent + 1))) return stream.stopReason;
      out.send(next.value);
    }
  } finally {
    if (!done) iterator.return?.().catch(() => undefined);
  }
}

/** Sends the messages of one stream to the request's reply subject, as the convention numbers and marks them. */
class StreamOut {
  /** Messages sent so far. */
  sent = 0;
  /** Set once the handler runs: its respondWith() headers go on the first message. */
  context: RequestContext | undefined;

  constructor(
    private readonly msg: ServiceMsg,
    private readonly method: DescMethod,
    private readonly stream: OpenStream,
    private readonly shared: ContextShared,
  ) {}

  send(message: unknown): void {
    const data = toBinary(this.method.output, create(this.method.output, message as never));
    const h = this.headers(true);
    h.set(StreamHeaders.seq, String(this.sent + 1));
    this.msg.respond(data, { headers: h });
    this.sent++;
  }

  /** The end-of-stream message: success, or the error as a unary error reply carries it. */
  end(error: ServiceError | undefined): void {
    const h = this.headers(error === undefined);
    h.set(StreamHeaders.end, String(this.sent));
    if (error === undefined) this.msg.respond(new Uint8Array(), { headers: h });
    else respondError(this.msg, error, h);
  }

  /**
   * Every message names the deployment; the first one sent also the control subject and, when it is
   * no error, the HTTP status and headers the handler asked for (respondWith).
   */
  private headers(success: boolean): MsgHdrs {
    const asked = this.sent === 0 && success ? this.context?.replyHeaders : undefined;
    const h = asked ?? this.shared.replies.headers();
    if (this.sent === 0) h.set(StreamHeaders.control, this.stream.controlSubject);
    return h;
  }
}
