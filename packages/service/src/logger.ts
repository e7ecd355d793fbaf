/** The little a service needs to log; console by default, pino or anything else fits. */
export interface Logger {
  info(message: string): void;
  error(message: string, err?: unknown): void;
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  error: (message, err) => console.error(message, err ?? ""),
};
