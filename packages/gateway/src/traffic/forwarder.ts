import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { Msg, MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import { replyOutcome, serviceErrorOf, type ServiceCaller } from "../nats/call-service.js";
import type { Route } from "../routes/route.js";
import type { RetryBudget } from "../nats/retry-budget.js";
import type { ShadowRunner } from "../shadow/shadow-runner.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { RoutePlan } from "./route-plan.js";
import type { TrafficControl } from "./traffic-control.js";

/** Attempts at most per request, the first included. */
const MAX_ATTEMPTS = 3;
/** The pause before the nth retry: n times this, plus up to as much again at random, so retries spread out. */
const RETRY_PAUSE_MS = 20;
/** A retry with less of the deadline left than this would only time out. */
const MIN_ATTEMPT_MS = 50;

/** How often a deployment that cannot be reached is logged, per RPC: once a fallback starts, then at most this often. */
const FALLBACK_LOG_MS = 10_000;

/**
 * Sends each request where the traffic policy says: to one deployment's subject, or to the shared
 * queue group when no policy applies or the chosen deployment has no live instance (NATS answers
 * "no responders" at once, so the fallback costs one round trip, and the request is never lost).
 * Counts every request by the deployment that answered, and hands sampled requests to the shadow.
 */
export class Forwarder {
  private readonly fallbackLogged = new Map<string, number>();

  constructor(
    private readonly caller: ServiceCaller,
    private readonly traffic: TrafficControl,
    /** Undefined with METRICS=false: nothing is counted. */
    private readonly stats: UpstreamStats | undefined,
    private readonly shadows: ShadowRunner,
    private readonly warn: (message: string) => void,
    private readonly budget: RetryBudget,
  ) {}

  /**
   * The service's success reply; an error reply or a failure to get one is a GatewayError. An RPC
   * the contract declares idempotent is sent again, within the request's deadline and the retry
   * budget, when nobody took it (no responders) or the instance that took it was going away
   * (UNAVAILABLE): in both cases it did not run, or running it twice is harmless.
   */
  async forward(
    route: Route,
    payload: Uint8Array,
    headers: MsgHdrs,
    http: IncomingHttpHeaders,
    params: ReadonlyMap<string, string>,
    /** Where the reply must go instead of the gateway's inbox (an Idempotency-Key's capture). */
    replyTo?: string,
    /** The client's own deadline (Connect-Timeout-Ms, grpc-timeout), when shorter than REQUEST_TIMEOUT_MS. */
    deadlineMs?: number,
  ): Promise<Msg> {
    const plan = this.traffic.planFor(route);
    const target = plan?.pick(http, params);
    const shorter = deadlineMs !== undefined && deadlineMs < this.caller.timeoutMs ? deadlineMs : undefined;
    const timeoutMs = shorter ?? this.caller.timeoutMs;
    headers.set(Headers.timeoutMs, String(timeoutMs));
    let sent = this.send(route, plan, target, payload, headers, shorter, replyTo);
    // A request with an Idempotency-Key is not copied: the copy would run the write again, outside the key's promise.
    if (plan?.shadow !== undefined && replyTo === undefined && Math.random() < plan.shadow.fraction) this.shadows.copy(plan, target, payload, headers, sent);
    if (!retriable(route)) return successOf(await sent);

    const deadline = Date.now() + timeoutMs;
    this.budget.request();
    for (let attempt = 1; ; attempt++) {
      let reply: Msg | undefined;
      let failure: unknown;
      try {
        reply = await sent;
      } catch (err) {
        failure = err;
      }
      const didNotRun = reply === undefined ? GatewayError.is(failure) && failure.code === "NO_SERVICE" : replyOutcome(reply) === "UNAVAILABLE";
      const pause = RETRY_PAUSE_MS * attempt * (1 + Math.random());
      const remaining = deadline - Date.now() - pause;
      if (!didNotRun || attempt >= MAX_ATTEMPTS || remaining < MIN_ATTEMPT_MS || !this.budget.tryRetry()) {
        if (reply === undefined) throw failure;
        return successOf(reply);
      }
      await sleep(pause);
      headers.set(Headers.timeoutMs, String(Math.round(remaining)));
      sent = this.send(route, plan, target, payload, headers, remaining);
    }
  }

  /** Resolves with the reply, an error reply included; rejects with a GatewayError when none came. */
  private async send(
    route: Route,
    plan: RoutePlan | undefined,
    target: string | undefined,
    payload: Uint8Array,
    headers: MsgHdrs,
    timeoutMs?: number,
    replyTo?: string,
  ): Promise<Msg> {
    const subject = target === undefined ? route.subject : plan!.subjectOf(target);
    const pending = this.stats?.of(route.method, target ?? "");
    const started = performance.now();
    if (pending !== undefined) pending.inFlight++;
    try {
      const reply = await this.caller.request(subject, payload, headers, timeoutMs, replyTo);
      if (pending !== undefined) {
        const answeredBy = reply.headers?.get(Headers.deployment) || target || "";
        const answered = answeredBy === pending.deployment ? pending : this.stats!.of(route.method, answeredBy);
        answered.record(replyOutcome(reply), performance.now() - started, Date.now());
      }
      return reply;
    } catch (err) {
      if (target !== undefined && GatewayError.is(err) && err.code === "NO_SERVICE") {
        if (pending !== undefined) pending.fallbacks++;
        this.logFallback(route, target);
        return this.send(route, undefined, undefined, payload, headers, timeoutMs, replyTo);
      }
      pending?.record(failureOutcome(err), performance.now() - started, Date.now());
      throw err;
    } finally {
      if (pending !== undefined) pending.inFlight--;
    }
  }

  private logFallback(route: Route, deployment: string): void {
    const key = `${route.subject} ${deployment}`;
    const now = Date.now();
    if (now - (this.fallbackLogged.get(key) ?? 0) < FALLBACK_LOG_MS) return;
    this.fallbackLogged.set(key, now);
    this.warn(`traffic: ${deployment} has no live instance for ${route.subject}; its requests go to the shared queue group`);
  }
}

/** Declared safe to repeat in the contract (google.protobuf.MethodOptions.idempotency_level). */
function retriable(route: Route): boolean {
  const level = route.method.idempotency;
  return level === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS || level === MethodOptions_IdempotencyLevel.IDEMPOTENT;
}

function successOf(reply: Msg): Msg {
  const error = serviceErrorOf(reply);
  if (error !== undefined) throw error;
  return reply;
}

function failureOutcome(err: unknown): string {
  if (!GatewayError.is(err)) return "unavailable";
  switch (err.code) {
    case "SERVICE_TIMEOUT":
      return "timeout";
    case "NO_SERVICE":
      return "no_responders";
    case "PAYLOAD_TOO_LARGE":
      return "too_large";
    default:
      return "unavailable";
  }
}
