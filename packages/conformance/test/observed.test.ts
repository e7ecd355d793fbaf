import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { REPO_ROOT } from "@switchyard/testing";

// The suite's own tests: the checks that observe an instance rather than take its word fail a
// fixture service that breaks one rule (test/fixtures/broken-users.ts), on that rule only, and
// pass it unbroken. Each run is the suite's command line, limited to those checks.

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/broken-users.ts", import.meta.url));

const QUEUE_GROUPS = "queue groups, observed with a reference instance in the claimed group";
const CONTRACT = "the contract it carries";
const STATS = "$SRV.STATS.users, counted exactly";
const SHUTDOWN = "shutdown";
const GROUPS = [QUEUE_GROUPS, CONTRACT, STATS, SHUTDOWN];

interface TapResult {
  name: string;
  ok: boolean;
  skipped: boolean;
  children: TapResult[];
}

/** The TAP report as a tree: a subtest's result comes before its parent's, indented 4 more. */
function parseTap(output: string): TapResult[] {
  const pending = new Map<number, TapResult[]>();
  for (const line of output.split("\n")) {
    const match = /^( *)(not ok|ok) \d+ - (.*?)( # SKIP.*)?$/.exec(line);
    if (match === null) continue;
    const indent = match[1]!.length;
    const children = pending.get(indent + 4) ?? [];
    pending.delete(indent + 4);
    const results = pending.get(indent) ?? [];
    results.push({ name: match[3]!, ok: match[2] === "ok", skipped: match[4] !== undefined, children });
    pending.set(indent, results);
  }
  return pending.get(0) ?? [];
}

function find(results: readonly TapResult[], name: string): TapResult | undefined {
  for (const result of results) {
    const found = result.name === name ? result : find(result.children, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Runs the observing checks against the fixture with `broken`; the groups with a failed test. */
async function failingGroups(broken: string): Promise<string[]> {
  const pattern = GROUPS.map((g) => g.replace(/[$.*+?()[\]{}|^\\]/g, "\\$&")).join("|");
  const args = ["--import", "tsx", "--test-reporter=tap", `--test-name-pattern=${pattern}`, CLI, `exec node --import tsx ${FIXTURE} ${broken}`];
  // A run under `node --test` would report to its parent in V8's format instead of TAP.
  const env = { ...process.env };
  delete env["NODE_TEST_CONTEXT"];
  // The suite exits non-zero on any failure; the report says which.
  const output = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 }).then(
    (done) => done.stdout,
    (err: { stdout?: string }) => err.stdout ?? "",
  );
  const report = parseTap(output);
  return GROUPS.filter((name) => {
    const group = find(report, name) ?? assert.fail(`no "${name}" in the report:\n${output.slice(-3_000)}`);
    assert.ok(group.children.length > 0 && group.children.every((t) => !t.skipped), `"${name}" ran its tests`);
    return group.children.some((t) => !t.ok);
  });
}

describe("the suite observes what an instance claims", { concurrency: true }, () => {
  const cases: [string, string, string[]][] = [
    ["none", "passes a fixture that breaks nothing", []],
    ["queue-group", "fails one serving in another queue group than $SRV.INFO claims", [QUEUE_GROUPS]],
    ["no-contract", "fails one that carries no contract: no descriptor subject, no metadata", [QUEUE_GROUPS, CONTRACT]],
    ["no-drain", "fails one that exits 0 on SIGTERM without answering the requests in flight", [SHUTDOWN]],
    ["stats-miscount", "fails one whose $SRV.STATS counts one Ping too many", [STATS]],
  ];
  for (const [broken, what, failing] of cases) {
    it(what, { timeout: 120_000 }, async () => {
      assert.deepEqual(await failingGroups(broken), failing);
    });
  }
});
