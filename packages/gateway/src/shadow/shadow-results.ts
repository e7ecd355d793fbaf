/** One side of a compared request, as the report shows it. */
export interface ShownReply {
  deployment: string;
  status: "ok" | "error";
  /** The reply as proto3 JSON, for a success. */
  reply?: unknown;
  /** The error code and field, for an error reply. */
  code?: string;
  field?: string;
}

export interface MismatchPair {
  at: string;
  requestId: string;
  request: unknown;
  primary: ShownReply;
  shadow: ShownReply;
  /** The fields that differ and are not noise. */
  fields: string[];
}

/** Why a sampled request was not compared. */
export type SkipReason = "same-deployment" | "overloaded" | "primary-failed";
export type ShadowFailure = "timeout" | "no-responders" | "unavailable" | "bad-reply";

export interface ShadowReport {
  rpc: string;
  shadow: string;
  since: string;
  /** Copies sent to the shadow. */
  sent: number;
  compared: number;
  /** Compared requests whose replies differ in a field that is neither noise nor ignored. */
  mismatches: number;
  mismatchRate: number;
  /** Copies the shadow did not answer, by why. */
  shadowFailures: Partial<Record<ShadowFailure, number>>;
  skipped: Partial<Record<SkipReason, number>>;
  /** Requests also sent twice to the primary, to learn which fields differ between two of its answers. */
  noiseSamples: number;
  /** Mismatch count per differing field, noise left out, most first. */
  fields: { field: string; mismatches: number }[];
  /** Fields that differed between two answers of the primary, with how often. */
  noise: { field: string; count: number }[];
  /** The latest mismatching pairs, newest first. */
  recent: MismatchPair[];
}

/** Distinct sets of differing fields kept apart; beyond these, a set counts as a mismatch of its own. */
const MAX_SIGNATURES = 512;
const RECENT = 10;
const OTHER = "(other fields)";

/**
 * The shadow comparisons of one RPC against one candidate deployment. A compared request is kept as
 * the set of fields that differed, and whether that set is a mismatch is decided when the report is
 * read: a field that turns out to be noise later (Diffy's primary-against-primary differences)
 * stops counting for the requests compared before it was found, too.
 */
class Comparisons {
  readonly since = new Date().toISOString();
  sent = 0;
  compared = 0;
  noiseSamples = 0;
  readonly shadowFailures: Partial<Record<ShadowFailure, number>> = {};
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  /** Sorted differing fields joined by a space → requests with exactly those. */
  private readonly signatures = new Map<string, number>();
  private readonly noise = new Map<string, number>();
  private readonly recent: MismatchPair[] = [];

  constructor(
    readonly rpc: string,
    readonly shadow: string,
  ) {}

  record(fields: readonly string[], pair: () => Omit<MismatchPair, "fields">): void {
    this.compared++;
    if (fields.length === 0) return;
    let signature = [...fields].sort().join(" ");
    if (!this.signatures.has(signature) && this.signatures.size >= MAX_SIGNATURES) signature = OTHER;
    this.signatures.set(signature, (this.signatures.get(signature) ?? 0) + 1);
    if (fields.some((f) => !this.noise.has(f))) {
      this.recent.unshift({ ...pair(), fields: [...fields] });
      if (this.recent.length > RECENT) this.recent.pop();
    }
  }

  recordNoise(fields: readonly string[]): void {
    this.noiseSamples++;
    for (const field of fields) this.noise.set(field, (this.noise.get(field) ?? 0) + 1);
  }

  report(): ShadowReport {
    let mismatches = 0;
    const perField = new Map<string, number>();
    for (const [signature, count] of this.signatures) {
      const real = signature === OTHER ? [OTHER] : signature.split(" ").filter((f) => !this.noise.has(f));
      if (real.length === 0) continue;
      mismatches += count;
      for (const field of real) perField.set(field, (perField.get(field) ?? 0) + count);
    }
    const recent = this.recent
      .map((pair) => ({ ...pair, fields: pair.fields.filter((f) => !this.noise.has(f)) }))
      .filter((pair) => pair.fields.length > 0);
    return {
      rpc: this.rpc,
      shadow: this.shadow,
      since: this.since,
      sent: this.sent,
      compared: this.compared,
      mismatches,
      mismatchRate: this.compared === 0 ? 0 : mismatches / this.compared,
      shadowFailures: { ...this.shadowFailures },
      skipped: { ...this.skipped },
      noiseSamples: this.noiseSamples,
      fields: [...perField].map(([field, n]) => ({ field, mismatches: n })).sort((x, y) => y.mismatches - x.mismatches),
      noise: [...this.noise].map(([field, count]) => ({ field, count })).sort((x, y) => y.count - x.count),
      recent,
    };
  }
}

/** Every shadow comparison the gateway made since it started or since the last reset. */
export class ShadowResults {
  private readonly byKey = new Map<string, Comparisons>();

  of(rpc: string, shadow: string): Comparisons {
    const key = `${rpc} ${shadow}`;
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = new Comparisons(rpc, shadow);
      this.byKey.set(key, entry);
    }
    return entry;
  }

  reports(): ShadowReport[] {
    return [...this.byKey.values()].map((c) => c.report()).sort((a, b) => a.rpc.localeCompare(b.rpc) || a.shadow.localeCompare(b.shadow));
  }

  reset(): void {
    this.byKey.clear();
  }
}

export type { Comparisons };
