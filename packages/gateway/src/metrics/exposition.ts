import { SECONDS_BOUNDS } from "../stats/latency.js";

/** Label values as the text format escapes them: backslash, double quote and newline. */
function escapeValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `{a="1",b="x"}`, or "" for no labels: rendered once per series and kept. */
export function labelText(labels: Readonly<Record<string, string | number>>): string {
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeValue(String(value))}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Each histogram bound as the `le` label renders it, with the "{" or "," it follows. */
const LE = SECONDS_BOUNDS.map((bound) => `le="${bound}"}`);

/** The Prometheus text exposition format (version 0.0.4), written line by line. */
export class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, labels: string, value: number): void {
    this.lines.push(`${name}${labels} ${format(value)}`);
  }

  /** One series of a histogram: per-bound counts (not cumulated) into cumulative buckets, +Inf, sum, count. */
  histogram(name: string, labels: string, buckets: Float64Array, sum: number, count: number): void {
    const open = labels === "" ? `${name}_bucket{` : `${name}_bucket${labels.slice(0, -1)},`;
    let cumulative = 0;
    for (let i = 0; i < LE.length; i++) {
      cumulative += buckets[i]!;
      this.lines.push(`${open}${LE[i]} ${cumulative}`);
    }
    this.lines.push(`${open}le="+Inf"} ${count}`, `${name}_sum${labels} ${format(sum)}`, `${name}_count${labels} ${count}`);
  }

  text(): string {
    return this.lines.length === 0 ? "" : `\n${this.lines.join("\n")}\n`;
  }
}

function format(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
