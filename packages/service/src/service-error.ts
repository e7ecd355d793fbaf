import type { ErrorCodeName } from "@switchyard/protocol";

/**
 * What a handler throws to reply with an error: a stable code (mapped to an HTTP status by the
 * gateway), a message for people, and the request field at fault when there is one.
 */
export class ServiceError extends Error {
  override readonly name = "ServiceError";

  constructor(
    readonly code: ErrorCodeName,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  static is(err: unknown): err is ServiceError {
    return err instanceof Error && err.name === "ServiceError";
  }
}
