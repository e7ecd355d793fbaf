/**
 * `switchyard top`: the gateway live, from GET /_/stats, redrawn in place on a terminal; one
 * snapshot otherwise. The drawing is `renderTop`, a pure function of the stats.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fetchStats, type AdminTarget, type Stats, type StatsRoute } from "../admin/index.js";
import { errorPercent, millis, percent, rate, weightCell } from "../format.js";
import { CliError } from "../http.js";
import type { Io } from "../io.js";
import { formatTable, type Column } from "../table.js";

export interface TopOptions extends AdminTarget {
  intervalMs: number;
  once: boolean;
}

// What `top` writes to a terminal: clear the screen and go home; hide the cursor while drawing.
const CLEAR = "\x1b[2J\x1b[H";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

export async function topCommand(options: TopOptions, io: Io): Promise<number> {
  // The first poll fails like any command (a wrong URL is exit 1); later ones are shown and retried.
  const first = await fetchStats(options);
  if (options.once || !io.stdoutIsTTY) {
    io.stdout(renderTop(first));
    return 0;
  }
  const stop = new AbortController();
  const release = io.onInterrupt(() => stop.abort());
  const target = { ...options, signal: stop.signal };
  io.stdout(HIDE_CURSOR);
  try {
    let frame = renderTop(first);
    while (!stop.signal.aborted) {
      io.stdout(CLEAR + frame);
      await sleep(options.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) break;
      frame = await fetchStats(target).then(renderTop, (err: unknown) => {
        if (!(err instanceof CliError)) throw err;
        return `switchyard: ${err.message}\nretrying every ${options.intervalMs} ms; Ctrl-C to quit\n`;
      });
    }
  } finally {
    release();
    io.stdout(SHOW_CURSOR);
  }
  return 0;
}

const ROUTE_COLUMNS: Column[] = [
  { header: "METHOD" },
  { header: "PATH" },
  { header: "DEPLOYMENT" },
  { header: "RPS", align: "right" },
  { header: "ERR%", align: "right" },
  { header: "P50 MS", align: "right" },
  { header: "P99 MS", align: "right" },
  { header: "WEIGHT", align: "right" },
  { header: "SHARE", align: "right" },
  { header: "INSTANCES", align: "right" },
  { header: "LAST 60 S" },
];

/** One screen: the gateway and its NATS connection, each route's deployments, the shadows, the conflicts. */
export function renderTop(stats: Stats): string {
  const { gateway } = stats;
  const nats = gateway.natsConnected ? `NATS connected to ${gateway.natsServer}` : "NATS DISCONNECTED";
  const sections = [
    `${stats.at}  ${nats}  gateway up ${duration(gateway.uptimeSeconds)}  traffic policies ${gateway.trafficPolicies}\n`,
    formatTable(ROUTE_COLUMNS, stats.routes.flatMap(routeRows)),
  ];
  if (stats.shadow.length > 0) {
    sections.push(
      formatTable(
        [
          { header: "SHADOWED RPC" },
          { header: "SHADOW" },
          { header: "COMPARED", align: "right" },
          { header: "MISMATCHES", align: "right" },
          { header: "RATE", align: "right" },
          { header: "FIELDS" },
        ],
        stats.shadow.map((s) => [
          s.rpc,
          s.shadow,
          String(s.compared),
          String(s.mismatches),
          percent(s.mismatchRate),
          s.fields.map((f) => `${f.field} ${f.mismatches}`).join(", "),
        ]),
      ),
    );
  }
  if (stats.conflicts.length > 0) {
    sections.push(formatTable([{ header: "CONFLICT" }, { header: "REASON" }], stats.conflicts.map((c) => [c.service, c.reason])));
  }
  return sections.join("\n");
}

function routeRows(route: StatsRoute): string[][] {
  if (route.deployments.length === 0) return [[route.method, route.path, "no deployment", "-", "-", "-", "-", "-", "-", "0"]];
  return route.deployments.map((d) => [
    route.method,
    route.path,
    d.deployment,
    rate(d.rps),
    errorPercent(d.errorRate),
    millis(d.p50Ms),
    millis(d.p99Ms),
    weightCell(d.weight, d.weightShare),
    percent(d.share),
    String(d.instances),
    sparkline(d.series?.requests ?? []),
  ]);
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * Counts as block characters, `width` wide at most (adjacent counts summed), scaled to the largest:
 * nothing is ▁, the largest is █, and any traffic at all is at least ▂.
 */
export function sparkline(values: readonly number[], width = 20): string {
  const cells = Math.min(width, values.length);
  const sums = Array.from({ length: cells }, (_, i) =>
    values.slice(Math.floor((i * values.length) / cells), Math.floor(((i + 1) * values.length) / cells)).reduce((a, b) => a + b, 0),
  );
  const max = Math.max(0, ...sums);
  return sums.map((sum) => BARS[sum <= 0 ? 0 : Math.ceil((sum / max) * (BARS.length - 1))]).join("");
}

/** 75 → "1m 15s": the two largest units. */
function duration(total: number): string {
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = Math.floor(total % 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}
