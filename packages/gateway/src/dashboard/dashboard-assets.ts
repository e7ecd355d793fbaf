/**
 * The dashboard's files, found the way /docs finds Swagger UI's: beside the running module when it is
 * a bundle (scripts/build.mjs copies them to dist/dashboard/ and dist/uplot/), else in the sources
 * and node_modules.
 */

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import uplotFiles from "./uplot-assets.json" with { type: "json" };

/** The uPlot files the page loads; nothing else of the package is served. scripts/build.mjs copies the same list. */
export const UPLOT_ASSETS: readonly string[] = uplotFiles;

/** What of the page's own folder is served: its scripts, styles and icon. */
export const CLIENT_FILE = /^\/[\w-]+\.(js|css|svg)$/;

const here = dirname(fileURLToPath(import.meta.url));

/** The page's own scripts and styles: dashboard/ beside a bundle, else client/ beside this module. */
export function findClient(dir?: string): string | undefined {
  const candidates = dir === undefined ? [join(here, "dashboard"), join(here, "client")] : [dir];
  return candidates.find((d) => existsSync(join(d, "main.js")));
}

/** uPlot's files: uplot/ beside a bundle, else the uplot package's dist/. */
export function findUplot(dir?: string): string | undefined {
  const candidates = dir === undefined ? [join(here, "uplot")] : [dir];
  if (dir === undefined) {
    try {
      candidates.push(join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist"));
    } catch {
      // not installed: only a copied folder will do
    }
  }
  return candidates.find((d) => UPLOT_ASSETS.every((name) => existsSync(join(d, name))));
}
