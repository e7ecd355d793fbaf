/**
 * The gateway as production runs it: one ESM bundle run by plain node, made by `npm run build`'s
 * own script (scripts/build.mjs) but into a folder of the test's, so that dist/ is left alone. Under
 * the tsx loader the same gateway holds about 80 MB more (the loader and the transpiled sources),
 * which a memory bound must not count.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./repo-root.js";

/** Bundles the gateway into `<dir>/gateway.mjs` (its assets beside it) and returns that path. */
export async function bundleGateway(dir: string): Promise<string> {
  await promisify(execFile)(process.execPath, ["scripts/build.mjs"], {
    cwd: REPO_ROOT,
    env: { ...process.env, BUILD_OUTDIR: dir, BUILD_ENTRIES: "gateway" },
  });
  return join(dir, "gateway.mjs");
}
