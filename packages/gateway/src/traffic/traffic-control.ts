import { setTimeout as sleep } from "node:timers/promises";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { NatsConnection } from "@nats-io/transport-node";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import { parsePolicy, PolicyError, type TrafficPolicy } from "./policy.js";
import { PolicyStore, RevisionConflict, type PolicyRecord, type PolicyRevision } from "./policy-store.js";
import { RoutePlan } from "./route-plan.js";

/** One service's policy as this gateway holds it. */
export interface PolicyState {
  service: string;
  /** The latest revision seen in the bucket. */
  revision: number;
  record: PolicyRecord | null;
  /** The revision applied to requests and its policy; an earlier one when the latest cannot be applied. */
  inForce?: { revision: number; policy: TrafficPolicy };
  /** Why the latest revision is not in force. */
  problem?: string;
}

export interface TrafficEvents {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The traffic policies in force on this gateway: read from the bucket every gateway watches,
 * checked against the contracts it serves, and compiled into one plan per route, which the request
 * path looks up. Also the one way the admin API changes them.
 */
export class TrafficControl {
  private readonly states = new Map<string, PolicyState>();
  private plans = new Map<Route, RoutePlan | null>();
  /** Per RPC, whether it may be shadowed without opting in; rebuilt when the routes change. */
  private sideEffectFreeRpcs: Map<DescMethod, boolean> | undefined;
  /** Waiting for a service's state to reach a condition (an admin change, applied here). */
  private readonly waiters = new Set<{ service: string; done: (state: PolicyState | undefined) => boolean; resolve: () => void }>();
  private store: PolicyStore | undefined;
  private loaded = false;
  /** Set when the NATS server has no JetStream: there can be no policies, and none can be set. */
  private disabled: string | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly nc: NatsConnection,
    private readonly routes: () => readonly Route[],
    private readonly events: TrafficEvents,
  ) {}

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  /** Whether the policies in the bucket are known: before that, a request could go where no policy sends it. */
  get ready(): boolean {
    return this.loaded || this.disabled !== undefined;
  }

  get unavailable(): string | undefined {
    return this.disabled;
  }

  /** The plan for a request on `route`, or undefined when no policy changes where it goes. */
  planFor(route: Route): RoutePlan | undefined {
    let plan = this.plans.get(route);
    if (plan === undefined) {
      plan = this.compile(route);
      this.plans.set(route, plan);
    }
    return plan ?? undefined;
  }

  /** The route table changed: services may have come or gone, so policies are checked again. */
  routesChanged(): void {
    this.sideEffectFreeRpcs = undefined;
    for (const state of this.states.values()) this.check(state, state.record);
    this.plans = new Map();
  }

  policies(): PolicyState[] {
    return [...this.states.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  policy(service: string): PolicyState | undefined {
    return this.states.get(service);
  }

  /** A contract service this gateway serves, by its full name. */
  service(name: string): DescService | undefined {
    return this.routes().find((r) => r.method.parent.typeName === name)?.method.parent;
  }

  /** Whether an RPC may be shadowed without opting in: declared NO_SIDE_EFFECTS, or reached by GET only. */
  sideEffectFree(method: DescMethod): boolean {
    if (this.sideEffectFreeRpcs === undefined) {
      const rpcs = new Map<DescMethod, boolean>();
      for (const route of this.routes()) rpcs.set(route.method, (rpcs.get(route.method) ?? true) && route.verb === "GET");
      this.sideEffectFreeRpcs = rpcs;
    }
    return method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS || this.sideEffectFreeRpcs.get(method) === true;
  }

  /**
   * Resolves once this gateway's state of `service` meets `done` (a change it wrote, now read back
   * from the bucket), or after `timeoutMs`: whoever waits learns it from the state either way.
   */
  whenApplied(service: string, done: (state: PolicyState | undefined) => boolean, timeoutMs: number): Promise<void> {
    if (done(this.states.get(service))) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { service, done, resolve: () => finish() };
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Checks and stores a new revision; returns it. A PolicyError or RevisionConflict changes nothing. */
  async set(serviceName: string, policy: unknown, comment: string | undefined, expected?: number): Promise<number> {
    const service = this.known(serviceName);
    const parsed = parsePolicy(policy, service, (m) => this.sideEffectFree(m));
    return this.write(() => this.storeOrFail().put(serviceName, record(parsed, comment), expected));
  }

  /** Removes the policy; with none in force there is nothing to remove, and no revision is written. */
  async remove(serviceName: string, expected?: number): Promise<void> {
    this.known(serviceName);
    if (this.states.get(serviceName) === undefined && expected === undefined) return;
    await this.write(() => this.storeOrFail().remove(serviceName, expected));
  }

  async history(serviceName: string): Promise<PolicyRevision[]> {
    this.known(serviceName);
    return this.write(() => this.storeOrFail().history(serviceName));
  }

  /**
   * Puts back the policy of revision `to`, or, without it, the one before the current revision
   * (removing the policy when there was none): a new revision, so a rollback can be rolled back.
   */
  async rollback(serviceName: string, to?: number): Promise<number | undefined> {
    const service = this.known(serviceName);
    const history = await this.history(serviceName);
    const current = history[0];
    if (current === undefined) throw new GatewayError("REVISION_NOT_FOUND", `${serviceName} has no policy history to roll back`);
    if (to === undefined && current.record === null && history[1] === undefined) {
      throw new GatewayError("REVISION_NOT_FOUND", `${serviceName} has no earlier policy to roll back to`);
    }
    const target = to === undefined ? history[1] : history.find((h) => h.revision === to);
    if (to !== undefined && target === undefined) {
      throw new GatewayError("REVISION_NOT_FOUND", `revision ${to} is not in the history of ${serviceName} (it keeps the last ${history.length})`);
    }
    const label = target === undefined ? "no policy" : `revision ${target.revision}`;
    if (target === undefined || target.record === null) {
      await this.write(() => this.storeOrFail().remove(serviceName, current.revision));
      return undefined;
    }
    // The old policy is checked again: the contract may have lost an RPC it named since.
    const parsed = parsePolicy(target.record.policy, service, (m) => this.sideEffectFree(m));
    return this.write(() => this.storeOrFail().put(serviceName, record(parsed, `rollback to ${label}`), current.revision));
  }

  private known(serviceName: string): DescService {
    const service = this.service(serviceName);
    if (service === undefined) {
      const served = [...new Set(this.routes().map((r) => r.method.parent.typeName))].join(", ");
      throw new GatewayError("UNKNOWN_SERVICE", `this gateway serves no ${serviceName} (it serves ${served})`, "service");
    }
    return service;
  }

  private storeOrFail(): PolicyStore {
    if (this.store === undefined) {
      throw new GatewayError("POLICY_STORE_UNAVAILABLE", this.disabled ?? "the traffic policy bucket is not reachable yet; retry shortly");
    }
    return this.store;
  }

  /** Store failures in the gateway's terms: a conflict is 409, anything else from NATS 503. */
  private async write<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (GatewayError.is(err) || PolicyError.is(err)) throw err;
      if (err instanceof RevisionConflict) throw new GatewayError("REVISION_CONFLICT", err.message, "expectedRevision");
      this.events.warn("traffic policy bucket: operation failed", err);
      throw new GatewayError("POLICY_STORE_UNAVAILABLE", "the traffic policy bucket did not answer; retry shortly");
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        this.store ??= await PolicyStore.open(this.nc);
        this.disabled = undefined;
        failures = 0;
        await this.store.watch((rev) => this.apply(rev), () => this.markLoaded(), this.abort.signal);
      } catch (err) {
        if (isJetStreamMissing(err)) {
          if (this.disabled === undefined) this.events.warn("JetStream is not enabled on the NATS server: traffic policies are off");
          this.disabled = "JetStream is not enabled on the NATS server, so traffic policies cannot be stored";
        } else if (!this.abort.signal.aborted && !this.nc.isClosed()) {
          this.events.warn("traffic policies: cannot watch the bucket; retrying", err);
        }
      }
      if (this.abort.signal.aborted || this.nc.isClosed()) return;
      failures++;
      await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures), undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private markLoaded(): void {
    if (this.loaded) return;
    this.loaded = true;
    this.events.info(`traffic policies loaded: ${this.states.size === 0 ? "none" : this.policies().map(describe).join("; ")}`);
  }

  private apply(rev: PolicyRevision): void {
    const state = this.states.get(rev.service) ?? { service: rev.service, revision: 0, record: null };
    state.revision = rev.revision;
    state.record = rev.record;
    if (rev.record === null && rev.unreadable === undefined) {
      this.states.delete(rev.service);
      if (this.loaded) this.events.info(`traffic policy for ${rev.service} removed (revision ${rev.revision}): the shared queue group serves it`);
    } else {
      this.states.set(rev.service, state);
      if (rev.unreadable !== undefined) {
        state.problem = `revision ${rev.revision} is unreadable: ${rev.unreadable}`;
      } else {
        this.check(state, rev.record);
      }
      if (state.problem !== undefined) this.events.warn(`traffic policy for ${rev.service}: ${state.problem}`);
      else if (this.loaded) this.events.info(`traffic policy now ${describe(state)}`);
    }
    this.plans = new Map();
    for (const waiter of this.waiters) {
      if (waiter.service === rev.service && waiter.done(this.states.get(rev.service))) waiter.resolve();
    }
  }

  /** Puts the state's record in force if it applies to a service served here; keeps the previous one if not. */
  private check(state: PolicyState, rec: PolicyRecord | null): void {
    if (rec === null) return;
    const service = this.service(state.service);
    if (service === undefined) {
      state.problem = `no route of this gateway belongs to ${state.service}`;
      return;
    }
    try {
      state.inForce = { revision: state.revision, policy: parsePolicy(rec.policy, service, (m) => this.sideEffectFree(m)) };
      delete state.problem;
    } catch (err) {
      if (!PolicyError.is(err)) throw err;
      state.problem = `revision ${state.revision} is invalid: ${err.message}`;
    }
  }

  private compile(route: Route): RoutePlan | null {
    const inForce = this.states.get(route.method.parent.typeName)?.inForce;
    if (inForce === undefined) return null;
    const plan = new RoutePlan(route, inForce.revision, inForce.policy, this.sideEffectFree(route.method));
    return plan.active ? plan : null;
  }
}

function record(policy: TrafficPolicy, comment: string | undefined): PolicyRecord {
  return { policy, ...(comment === undefined || comment === "" ? {} : { comment }), changedAt: new Date().toISOString() };
}

function describe(state: PolicyState): string {
  const p = state.inForce?.policy;
  if (p === undefined) return `${state.service} (revision ${state.revision}, not in force)`;
  const parts: string[] = [];
  if (p.rules?.length) parts.push(`${p.rules.length} rule(s)`);
  if (p.weights) parts.push(`weights ${Object.entries(p.weights).map(([d, w]) => `${d} ${w}`).join(", ")}`);
  if (p.sticky) parts.push(`sticky on ${"header" in p.sticky ? `header ${p.sticky.header}` : `field ${p.sticky.field}`}`);
  if (p.shadow) parts.push(`shadow ${p.shadow.deployment}`);
  if (p.rpcs && Object.keys(p.rpcs).length > 0) parts.push(`overrides for ${Object.keys(p.rpcs).join(", ")}`);
  return `${state.service} revision ${state.inForce!.revision}: ${parts.join("; ") || "no change to routing"}`;
}

function isJetStreamMissing(err: unknown): boolean {
  return err instanceof Error && (err.name === "JetStreamNotEnabled" || /jetstream not enabled|JetStream not enabled/i.test(err.message));
}
