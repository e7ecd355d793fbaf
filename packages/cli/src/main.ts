#!/usr/bin/env -S node --import tsx
// `node --import tsx packages/cli/src/main.ts …`; the installed command is bin/switchyard.js.
import { processIo, run } from "./cli.js";

// `switchyard routes | head -1`: a reader that stops early is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await run(process.argv.slice(2), processIo);
