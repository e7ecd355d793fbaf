import { fileURLToPath } from "node:url";

/** The repository's root directory, ending in a slash: the working directory of the processes tests start. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
