import type { IncomingHttpHeaders } from "node:http";
import { deploymentSubject } from "@switchyard/protocol";
import type { Route } from "../routes/route.js";
import type { Rule, Shadow, Sticky, TrafficPolicy, Weights } from "./policy.js";

/** A policy's shadow as it applies to one RPC. */
export interface ShadowPlan {
  readonly deployment: string;
  readonly subject: string;
  readonly fraction: number;
  readonly noiseFraction: number;
  readonly ignore: readonly string[];
}

/**
 * One RPC's share of a service's policy, compiled for the request path: what `pick` does per
 * request is a few comparisons, one random number or one hash, and no allocation.
 */
export class RoutePlan {
  readonly weights: Readonly<Weights> | undefined;
  readonly shadow: ShadowPlan | undefined;
  private readonly rules: readonly Rule[];
  private readonly sticky: Sticky | undefined;
  private readonly names: string[] = [];
  private readonly cumulative: number[] = [];
  private readonly total: number = 0;
  private readonly subjects = new Map<string, string>();

  constructor(
    readonly route: Route,
    readonly revision: number,
    policy: TrafficPolicy,
    shadowable: boolean,
  ) {
    const own = policy.rpcs?.[route.method.name] ?? {};
    const pick = <K extends "rules" | "sticky" | "weights" | "shadow">(key: K) => (own[key] !== undefined ? own[key] : policy[key]) ?? undefined;
    this.rules = pick("rules") ?? [];
    this.sticky = pick("sticky");
    this.weights = pick("weights");
    const shadow: Shadow | undefined = pick("shadow");
    for (const [name, weight] of Object.entries(this.weights ?? {})) {
      if (weight === 0) continue;
      this.total += weight;
      this.names.push(name);
      this.cumulative.push(this.total);
    }
    for (const rule of this.rules) this.subjectOf(rule.deployment);
    for (const name of this.names) this.subjectOf(name);
    this.shadow =
      shadow !== undefined && (shadowable || shadow.writes === true)
        ? {
            deployment: shadow.deployment,
            subject: this.subjectOf(shadow.deployment),
            fraction: shadow.fraction ?? 1,
            noiseFraction: shadow.noiseFraction ?? 0.1,
            ignore: shadow.ignore ?? [],
          }
        : undefined;
  }

  /** Whether the policy changes anything for this RPC; a plan that does not is not used. */
  get active(): boolean {
    return this.rules.length > 0 || this.total > 0 || this.shadow !== undefined;
  }

  /** The deployment this request goes to, or undefined for the shared queue group. */
  pick(headers: IncomingHttpHeaders, params: ReadonlyMap<string, string>): string | undefined {
    for (const rule of this.rules) {
      if (matches(rule, headers[rule.header])) return rule.deployment;
    }
    if (this.total === 0) return undefined;
    if (this.sticky !== undefined) {
      const key = "header" in this.sticky ? headerText(headers[this.sticky.header]) : params.get(this.sticky.field);
      if (key !== undefined && key !== "") return this.at((stickyHash(key) / 0x1_0000_0000) * this.total);
    }
    return this.at(Math.random() * this.total);
  }

  /** The subject of this RPC for one deployment alone. */
  subjectOf(deployment: string): string {
    let subject = this.subjects.get(deployment);
    if (subject === undefined) {
      subject = deploymentSubject(deployment, this.route.subject);
      this.subjects.set(deployment, subject);
    }
    return subject;
  }

  /**
   * The deployment whose stretch of [0, total) holds `point`. Stretches follow the order the weights
   * were written in, so moving weight from one deployment to the next moves only the sticky keys
   * that must move.
   */
  private at(point: number): string {
    for (let i = 0; i < this.cumulative.length; i++) {
      if (point < this.cumulative[i]!) return this.names[i]!;
    }
    return this.names[this.names.length - 1]!;
  }
}

function matches(rule: Rule, value: string | string[] | undefined): boolean {
  const text = headerText(value);
  if (text === undefined) return false;
  if (rule.present) return true;
  if (rule.equals !== undefined) return text === rule.equals;
  if (rule.prefix !== undefined) return text.startsWith(rule.prefix);
  return rule.in!.includes(text);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * 32-bit FNV-1a over UTF-16 code units, then MurmurHash3's finalizer: every gateway replica maps a
 * sticky key to the same point, and ids that differ in their last character (customer-1,
 * customer-2) land far apart, as FNV-1a alone does not ensure in its high bits.
 */
export function stickyHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
