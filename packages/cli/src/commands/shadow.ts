/** `switchyard shadow report|reset`: how the shadow deployments' replies compare with the primaries'. */
import { fetchShadowReports, resetShadowReports, type AdminTarget, type ShadowReport, type ShownReply } from "../admin/index.js";
import { percent } from "../format.js";
import type { Io } from "../io.js";
import { formatTable } from "../table.js";

export interface ReportOptions extends AdminTarget {
  /** The full RPC name (users.v1.UserService.GetUser) or just its method (GetUser). */
  rpc: string | undefined;
  json: boolean;
}

export async function shadowReportCommand(options: ReportOptions, io: Io): Promise<number> {
  const { rpc } = options;
  const { reports: all } = await fetchShadowReports(options);
  const reports = rpc === undefined ? all : all.filter((r) => r.rpc === rpc || r.rpc.endsWith(`.${rpc}`));
  if (options.json) {
    io.stdout(JSON.stringify({ reports }, null, 2) + "\n");
    return 0;
  }
  if (reports.length === 0) {
    io.stdout(rpc === undefined ? "no shadow comparisons yet\n" : `no shadow comparisons for ${rpc} yet\n`);
    return 0;
  }
  io.stdout(reports.map(describe).join("\n"));
  return 0;
}

export async function shadowResetCommand(options: AdminTarget, io: Io): Promise<number> {
  await resetShadowReports(options);
  io.stdout("shadow results reset\n");
  return 0;
}

function describe(report: ShadowReport): string {
  const lines = [
    `${report.rpc} → ${report.shadow} (since ${report.since})`,
    `  compared:    ${report.compared} of ${report.sent} sent`,
    `  mismatches:  ${report.mismatches} (${percent(report.mismatchRate)})`,
    `  failures:    ${tally(report.shadowFailures)}`,
    `  skipped:     ${tally(report.skipped)}`,
    `  noise:       ${report.noise.map((n) => `${n.field} ${n.count}`).join(", ") || "none"} (from ${report.noiseSamples} primary-against-primary samples)`,
  ];
  if (report.fields.length > 0) {
    const table = formatTable(
      [{ header: "FIELD" }, { header: "MISMATCHES", align: "right" }],
      report.fields.map((f) => [f.field, String(f.mismatches)]),
    );
    lines.push(indent(table.trimEnd(), "  "));
  }
  const latest = report.recent[0];
  if (latest !== undefined) {
    lines.push(
      `  latest mismatch, ${latest.at}, request ${latest.requestId}:`,
      `    differing:  ${latest.fields.join(", ")}`,
      "    request:",
      indent(JSON.stringify(latest.request, null, 2), "      "),
      ...side("primary", latest.primary),
      ...side("shadow", latest.shadow),
    );
  }
  return lines.join("\n") + "\n";
}

/** One side of the pair: its reply, or the error it answered with. */
function side(name: string, shown: ShownReply): string[] {
  if (shown.status !== "ok") {
    const field = shown.field === undefined ? "" : `, field ${shown.field}`;
    return [`    ${name} (${shown.deployment}): ${shown.status} ${shown.code ?? ""}${field}`.trimEnd()];
  }
  return [`    ${name} (${shown.deployment}):`, indent(JSON.stringify(shown.reply ?? null, null, 2), "      ")];
}

/** `{timeout: 2, "no-responders": 1}` → "timeout 2, no-responders 1". */
const tally = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([what, n]) => `${what} ${n}`)
    .join(", ") || "none";

const indent = (text: string, by: string): string => text.replace(/^/gm, by);
