/** The gateway's /metrics, read as a scenario needs them: one family's samples, summed. */

export interface Sample {
  readonly name: string;
  /** The label text as written, e.g. `{rpc="GetUser",outcome="ok"}`, or "". */
  readonly labels: string;
  readonly value: number;
}

/** Every sample of the Prometheus text format, comments left out. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_:][\w:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    samples.push({ name: match[1]!, labels: match[2] ?? "", value: Number(match[3]) });
  }
  return samples;
}

/** GET <gateway>/metrics; throws when the gateway does not serve them. */
export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return parseMetrics(text);
}

/** The sum of a family's samples whose labels contain every `match` (`rpc="GetUser"`); undefined when the family is absent. */
export function total(samples: readonly Sample[], name: string, ...match: string[]): number | undefined {
  const mine = samples.filter((s) => s.name === name && match.every((m) => s.labels.includes(m)));
  return mine.length === 0 ? undefined : mine.reduce((sum, s) => sum + s.value, 0);
}

/** Families whose name contains `part`, for a report when an expected name is missing. */
export function familiesLike(samples: readonly Sample[], part: string): string[] {
  return [...new Set(samples.filter((s) => s.name.includes(part)).map((s) => s.name))];
}
