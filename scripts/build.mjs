// `npm run build`: each process's TypeScript entry bundled with its dependencies into one ESM file
// under dist/, so production runs plain `node dist/<name>.mjs`: no tsx loader (about 40 MB of RSS
// and a slower start), no node_modules in images.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

// BUILD_OUTDIR: another folder than dist/ (the fault suite bundles into its own); BUILD_ENTRIES: some
// of the entries only, comma-separated.
const outdir = process.env.BUILD_OUTDIR || "dist";
const only = process.env.BUILD_ENTRIES?.split(",");

const entries = {
  gateway: "packages/gateway/src/main.ts",
  "users-ts": "services/users-ts/src/main.ts",
  "inventory-ts": "services/inventory-ts/src/main.ts",
  "bench-reference": "bench/src/reference.ts",
  // Not a process: the NATS credentials `make up` and compose write before NATS starts.
  "nats-credentials": "packages/protocol/src/nats-credentials-main.ts",
};

await build({
  entryPoints: only === undefined ? entries : Object.fromEntries(only.map((name) => [name, entries[name]])),
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  // Comments and indentation out: V8 keeps a bundle's source in the heap, at two bytes a character
  // when one character is past Latin-1 (a dash in a dependency's comment was enough). The gateway's
  // idle RSS is about 3 MB lower. Names stay; `node --enable-source-maps` maps stack traces back.
  minifyWhitespace: true,
  logLevel: "warning",
  // Some CommonJS dependencies call require(); ESM output has none unless we provide it.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

// /docs serves Swagger UI's files from swagger-ui/ beside the gateway bundle (no CDN, no node_modules).
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
mkdirSync(join(outdir, "swagger-ui"), { recursive: true });
for (const name of JSON.parse(readFileSync("packages/gateway/src/openapi/swagger-ui-assets.json", "utf8"))) {
  cpSync(join(swaggerUi, name), join(outdir, "swagger-ui", name));
}

// /_/dashboard serves its own scripts and styles from dashboard/ and uPlot's from uplot/, beside the bundle.
rmSync(join(outdir, "dashboard"), { recursive: true, force: true });
cpSync("packages/gateway/src/dashboard/client", join(outdir, "dashboard"), { recursive: true });
const uplot = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");
mkdirSync(join(outdir, "uplot"), { recursive: true });
for (const name of JSON.parse(readFileSync("packages/gateway/src/dashboard/uplot-assets.json", "utf8"))) {
  cpSync(join(uplot, name), join(outdir, "uplot", name));
}
