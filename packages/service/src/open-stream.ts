import type { MsgHdrs } from "@nats-io/transport-node";
import { STREAM_IDLE_MS, STREAM_WINDOW, StreamHeaders } from "@switchyard/protocol";
import { deadlineExceeded } from "./deadline.js";
import { ServiceError } from "./service-error.js";

/** A cumulative ack: a whole number, in decimal. */
const ACK = /^[0-9]{1,15}$/;

/** What `until` gives when the stream stopped before the work settled. */
export const STOPPED = Symbol("stopped");

/**
 * The state of one stream the instance is sending: the credit its caller granted (services/README.md,
 * Streaming), and whether, and why, it must stop early: the caller cancelled, the deadline came, the
 * caller went quiet while the stream waited for credit, or the instance is stopping.
 */
export class OpenStream {
  readonly #stop = new AbortController();
  readonly #stopped: Promise<typeof STOPPED>;
  readonly #deadlineTimer: NodeJS.Timeout | undefined;
  #acked = 0;
  #lastControl = Date.now();
  #cancelled = false;
  #wake: (() => void) | undefined;

  constructor(
    /** Where the caller sends credit and cancels. */
    readonly controlSubject: string,
    deadline: number | undefined,
  ) {
    this.#stopped = new Promise((resolve) => this.#stop.signal.addEventListener("abort", () => resolve(STOPPED), { once: true }));
    if (deadline !== undefined) {
      this.#deadlineTimer = setTimeout(() => this.stop(deadlineExceeded()), Math.max(0, deadline - Date.now()));
      this.#deadlineTimer.unref();
    }
  }

  /** Aborts when the stream stops early, with the ServiceError that says why. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Why the stream stopped early; undefined while it may go on. */
  get stopReason(): ServiceError | undefined {
    return this.#stop.signal.aborted ? (this.#stop.signal.reason as ServiceError) : undefined;
  }

  /** Whether the caller cancelled: it is gone, and nothing more is sent, not even the end. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  stop(reason: ServiceError): void {
    if (!this.#stop.signal.aborted) this.#stop.abort(reason);
    this.#wake?.();
  }

  /** A control message from the caller: credit (a cumulative ack), or a cancel. */
  control(headers: MsgHdrs | undefined): void {
    this.#lastControl = Date.now();
    if (headers?.has(StreamHeaders.cancel)) {
      this.#cancelled = true;
      this.stop(new ServiceError("CANCELLED", "the caller cancelled the stream"));
      return;
    }
    const ack = headers?.get(StreamHeaders.ack) ?? "";
    if (ACK.test(ack)) this.#acked = Math.max(this.#acked, Number(ack));
    this.#wake?.();
  }

  /** What `work` settles with, or STOPPED when the stream stops first (a late rejection of `work` is dropped). */
  until<T>(work: Promise<T>): Promise<T | typeof STOPPED> {
    work.catch(() => undefined);
    return Promise.race([work, this.#stopped]);
  }

  /**
   * Resolves true once message `seq` may be sent (the caller acked `seq - STREAM_WINDOW`), false
   * when the stream stops first. Waiting STREAM_IDLE_MS without a control message stops it: the
   * caller repeats its ack while it is there, so it is gone.
   */
  async credit(seq: number): Promise<boolean> {
    while (!this.#stop.signal.aborted && seq > this.#acked + STREAM_WINDOW) {
      const quiet = this.#lastControl + STREAM_IDLE_MS - Date.now();
      if (quiet <= 0) {
        this.stop(new ServiceError("CANCELLED", `the caller granted no credit for ${STREAM_IDLE_MS} ms`));
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, quiet);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    return !this.#stop.signal.aborted;
  }

  /** The stream is over: its deadline's timer goes. */
  close(): void {
    clearTimeout(this.#deadlineTimer);
  }
}
