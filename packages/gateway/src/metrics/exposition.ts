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
  /** One string grown line by line: V8 joins the pieces once, when it is sent. */
  private out = "";

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.out += `\n# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}`;
  }

  sample(name: string, labels: string, value: number): void {
    this.out += `\n${name}${labels} ${format(value)}`;
  }

  /** One series of a histogram: per-bound counts (not cumulated) into cumulative buckets, +Inf, sum, count. */
  histogram(name: string, labels: string, buckets: Float64Array, sum: number, count: number): void {
    const open = labels === "" ? `${name}_bucket{` : `${name}_bucket${labels.slice(0, -1)},`;
    let cumulative = 0;
    let text = "";
    for (let i = 0; i < LE.length; i++) {
      cumulative += buckets[i]!;
      text += `\n${open}${LE[i]} ${cumulative}`;
    }
    this.out += `${text}\n${open}le="+Inf"} ${count}\n${name}_sum${labels} ${format(sum)}\n${name}_count${labels} ${count}`;
  }

  /** The lines written, each after a newline, and a last newline; "" when none were. */
  text(): string {
    return this.out === "" ? "" : `${this.out}\n`;
  }
}

function format(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
