/** Where a command writes and what it reads from its surroundings: the process's, or a test's. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal: `top` redraws in place only there. */
  stdoutIsTTY: boolean;
  /** All of standard input, for `traffic set <service> -`. */
  readStdin(): Promise<string>;
  /** Calls `handler` on Ctrl-C, instead of the process ending, until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    return () => void process.off("SIGINT", handler);
  },
};
