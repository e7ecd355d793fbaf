/**
 * The gateway as production runs it: one ESM bundle run by plain node, as `npm run build`
 * (scripts/build.mjs) makes dist/gateway.mjs, but into the scenario's own folder so that dist/ is
 * left alone. Under the tsx loader the same gateway holds about 80 MB more (the loader and the
 * transpiled sources), which a memory bound must not count.
 */
import { join } from "node:path";
import { REPO_ROOT } from "./processes.js";

/** Bundles packages/gateway/src/main.ts into `<dir>/gateway.mjs` and returns that path. */
export async function bundleGateway(dir: string): Promise<string> {
  // The repository's esbuild (a root devDependency, which `npm run build` uses), loaded only here.
  const { build } = await import("esbuild");
  const outfile = join(dir, "gateway.mjs");
  await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ["packages/gateway/src/main.ts"],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    // The same options as scripts/build.mjs: whitespace out (V8 keeps a bundle's source in the heap),
    // and a require() for the CommonJS dependencies that call it.
    minifyWhitespace: true,
    logLevel: "warning",
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
