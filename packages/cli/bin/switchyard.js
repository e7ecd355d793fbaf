#!/usr/bin/env node
// The installed `switchyard` command. It loads tsx from this package's own dependencies (not from
// the caller's directory, as `node --import tsx` would), so it works from any working directory.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
