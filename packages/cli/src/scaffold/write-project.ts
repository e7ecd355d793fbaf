/** Writes a project's files into its folder: a new or empty folder only, never over anything. */
import { existsSync, statSync } from "node:fs";
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { CliError } from "../http.js";
import type { ProjectFile } from "./project.js";

/** Refuses a folder that exists with anything in it, or a path that is a file. */
export async function checkTarget(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CliError(`${dir} exists and is not a folder`, 2);
  const entries = await readdir(dir);
  if (entries.length > 0) throw new CliError(`${dir} is not empty (${entries.length} entries): choose another name or --dir`, 2);
}

export async function writeProject(dir: string, files: readonly ProjectFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text, { flag: "wx" });
    if (file.executable === true) await chmod(path, 0o755);
  }
}
