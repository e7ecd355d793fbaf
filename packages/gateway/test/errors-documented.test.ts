import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { allErrorCodes, errorStatusOf } from "@switchyard/gateway";

describe("error table", () => {
  it("documents every code with its status in the README", async () => {
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    for (const code of allErrorCodes) {
      const status = errorStatusOf(code);
      assert.match(readme, new RegExp(`\`${code}\`[^\\n]*\\| ${status}`), `${code} (${status}) is not documented in README.md`);
    }
  });
});
