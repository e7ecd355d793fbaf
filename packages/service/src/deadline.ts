import { ServiceError } from "./service-error.js";

/**
 * Switchyard-Timeout-Ms: a whole number of milliseconds, in decimal. More than 10 digits (over 115
 * days), a sign, a fraction, spaces or anything else is malformed, and a malformed value means no
 * deadline, as a missing one does (nothing is logged: a header is per request).
 */
const TIMEOUT_MS = /^[0-9]{1,10}$/;

/** The deadline of a request received at `receivedAt` (epoch ms), or undefined when it has none. */
export function deadlineOf(timeoutMs: string | undefined, receivedAt: number): number | undefined {
  if (timeoutMs === undefined || !TIMEOUT_MS.test(timeoutMs)) return undefined;
  return receivedAt + Number(timeoutMs);
}

/** Whether the deadline has come: a request with 0 ms left is already late. */
export function isPast(deadline: number | undefined, now = Date.now()): boolean {
  return deadline !== undefined && now >= deadline;
}

export function deadlineExceeded(message = "deadline exceeded"): ServiceError {
  return new ServiceError("DEADLINE_EXCEEDED", message);
}

/** setTimeout takes at most 2^31 - 1 ms; a later deadline is checked again when that fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Never aborts: the signal of every request without a deadline. */
const NEVER = new AbortController().signal;

/**
 * The AbortSignal of one request, made only when a handler asks for it (most never do, and a timer
 * per request is not free): it aborts at the deadline with a DEADLINE_EXCEEDED ServiceError as its
 * reason. dispose() clears the timer once the handler is done.
 */
export class DeadlineSignal {
  #controller: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #disposed = false;

  constructor(private readonly deadline: number | undefined) {}

  get signal(): AbortSignal {
    if (this.deadline === undefined) return NEVER;
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (!this.#disposed) this.#arm();
    }
    return this.#controller.signal;
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const left = this.deadline! - Date.now();
    if (left <= 0) {
      this.#controller!.abort(deadlineExceeded());
      return;
    }
    this.#timer = setTimeout(() => this.#arm(), Math.min(left, MAX_TIMER_MS));
    // A pending deadline must not keep the process alive on its own.
    this.#timer.unref();
  }
}
