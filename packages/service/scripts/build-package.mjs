// `npm run build -w @switchyard/service`: the SDK as a package a service outside this repository
// installs, in dist/ (or the folder given as the first argument). In the repository the workspace
// imports src/ (tsx and esbuild read TypeScript), so nothing here runs before a test or `make up`.
//
// dist/ is a package of its own: index.js bundles the SDK with the private workspace packages it
// uses (@switchyard/protocol, @switchyard/telemetry), index.d.ts and types/ declare it, and its
// package.json lists their npm dependencies. `npm pack dist` makes the tarball.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, "..");
const packagesDir = resolve(pkgDir, "..");
const outDir = resolve(process.argv[2] ?? join(pkgDir, "dist"));
/** The workspace packages bundled in: private, so never installed from a registry. */
const BUNDLED = ["protocol", "telemetry"];

const manifest = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const service = manifest(pkgDir);
const npmDependencies = {};
for (const dir of [pkgDir, ...BUNDLED.map((name) => join(packagesDir, name))]) {
  for (const [name, range] of Object.entries(manifest(dir).dependencies ?? {})) {
    if (!name.startsWith("@switchyard/")) npmDependencies[name] = range;
  }
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

await build({
  entryPoints: [join(pkgDir, "src/index.ts")],
  outfile: join(outDir, "index.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  // npm dependencies stay imports (the installer resolves them once for the whole service); only
  // the workspace packages are bundled. A package named here covers its subpaths too.
  external: Object.keys(npmDependencies),
  logLevel: "warning",
});

// Declarations of the SDK and of what it uses from the bundled packages, under types/<package>/src.
const tsc = join(packagesDir, "..", "node_modules", "typescript", "bin", "tsc");
const typesDir = join(outDir, "types");
execFileSync(
  process.execPath,
  [
    tsc,
    "-p",
    join(pkgDir, "tsconfig.build.json"),
    "--outDir",
    typesDir,
  ],
  { stdio: "inherit" },
);
// They import the bundled packages by name, which the installed package has not: point them at their declarations.
for (const file of walk(typesDir)) {
  if (!file.endsWith(".d.ts")) continue;
  let text = readFileSync(file, "utf8");
  for (const name of BUNDLED) {
    let target = relative(dirname(file), join(typesDir, name, "src", "index.js"));
    if (!target.startsWith(".")) target = `./${target}`;
    text = text.replaceAll(`"@switchyard/${name}"`, JSON.stringify(target));
  }
  writeFileSync(file, text);
}
writeFileSync(join(outDir, "index.d.ts"), 'export * from "./types/service/src/index.js";\n');

writeFileSync(
  join(outDir, "package.json"),
  `${JSON.stringify(
    {
      name: service.name,
      version: service.version,
      description: service.description,
      license: service.license,
      type: "module",
      engines: { node: ">=20.11" },
      exports: { ".": { types: "./index.d.ts", default: "./index.js" } },
      dependencies: Object.fromEntries(Object.entries(npmDependencies).sort(([a], [b]) => a.localeCompare(b))),
    },
    null,
    2,
  )}\n`,
);
cpSync(join(pkgDir, "README.md"), join(outDir, "README.md"));

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
