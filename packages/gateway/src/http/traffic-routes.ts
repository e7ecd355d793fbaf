import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceDirectory } from "../discovery/service-directory.js";
import { GatewayError } from "../errors.js";
import type { ShadowResults } from "../shadow/shadow-results.js";
import { deploymentsNamed, PolicyError, type TrafficPolicy } from "../traffic/policy.js";
import type { PolicyRevision } from "../traffic/policy-store.js";
import type { PolicyState, TrafficControl } from "../traffic/traffic-control.js";
import { replyWithError } from "./problem-reply.js";

export interface TrafficRoutesOptions {
  traffic: TrafficControl;
  directory: ServiceDirectory;
  shadowResults: ShadowResults;
}

/** How long a change waits for this gateway to apply it, so that the next request already follows it. */
const APPLY_WAIT_MS = 2_000;

interface ServiceParams {
  service: string;
}

/**
 * The traffic policies and shadow results, read and changed: GET/PUT/DELETE /_/traffic/<service>,
 * its history and rollback, GET/DELETE /_/shadow. Every change goes through the policy bucket that
 * all gateways watch.
 */
export function trafficRoutes(app: FastifyInstance, options: TrafficRoutesOptions): void {
  const { traffic } = options;
  const errors = (request: FastifyRequest, reply: FastifyReply, err: unknown) => {
    if (PolicyError.is(err)) return replyWithError(new GatewayError("INVALID_POLICY", err.message, `policy.${err.field}`), request, reply);
    return replyWithError(err, request, reply);
  };

  app.get("/_/traffic", async () => ({
    policies: traffic.policies().map(describe),
    ...(traffic.unavailable === undefined ? {} : { unavailable: traffic.unavailable }),
  }));

  app.get<{ Params: ServiceParams }>("/_/traffic/:service", async (request, reply) => {
    const { service } = request.params;
    if (traffic.service(service) === undefined && traffic.policy(service) === undefined) {
      return errors(request, reply, new GatewayError("UNKNOWN_SERVICE", `this gateway serves no ${service}`, "service"));
    }
    const state = traffic.policy(service);
    return state === undefined ? { service, revision: null, policy: null } : describe(state);
  });

  app.put<{ Params: ServiceParams; Body: unknown }>("/_/traffic/:service", async (request, reply) => {
    try {
      const { service } = request.params;
      const body = changeOf(request.body);
      const revision = await traffic.set(service, body.policy, body.comment, body.expectedRevision);
      await applied(traffic, service, revision);
      const state = traffic.policy(service);
      return { ...(state ? describe(state) : { service, revision }), warnings: warnings(options.directory, body.policy as TrafficPolicy) };
    } catch (err) {
      return errors(request, reply, err);
    }
  });

  app.delete<{ Params: ServiceParams; Querystring: { expectedRevision?: string } }>("/_/traffic/:service", async (request, reply) => {
    try {
      const { service } = request.params;
      await traffic.remove(service, revisionParam(request.query.expectedRevision));
      await removed(traffic, service);
      return { service, revision: null, policy: null };
    } catch (err) {
      return errors(request, reply, err);
    }
  });

  app.get<{ Params: ServiceParams }>("/_/traffic/:service/history", async (request, reply) => {
    try {
      const { service } = request.params;
      return { service, revisions: (await traffic.history(service)).map(historyEntry) };
    } catch (err) {
      return errors(request, reply, err);
    }
  });

  app.post<{ Params: ServiceParams; Body: unknown }>("/_/traffic/:service/rollback", async (request, reply) => {
    try {
      const { service } = request.params;
      const body = (request.body ?? {}) as { revision?: unknown };
      if (typeof body !== "object" || (body.revision !== undefined && !isRevision(body.revision))) {
        throw new GatewayError("INVALID_FIELD", "revision must be a whole number above 0", "revision");
      }
      const revision = await traffic.rollback(service, body.revision as number | undefined);
      if (revision === undefined) {
        await removed(traffic, service);
        return { service, revision: null, policy: null };
      }
      await applied(traffic, service, revision);
      const state = traffic.policy(service);
      return state ? describe(state) : { service, revision };
    } catch (err) {
      return errors(request, reply, err);
    }
  });

  app.get("/_/shadow", async () => ({ reports: options.shadowResults.reports() }));

  app.delete("/_/shadow", async (request, reply) => {
    try {
      options.shadowResults.reset();
      return { reports: [] };
    } catch (err) {
      return errors(request, reply, err);
    }
  });
}

/** A policy as the API shows it: the latest revision, and what is in force if that differs. */
function describe(state: PolicyState) {
  return {
    service: state.service,
    revision: state.revision,
    policy: state.record?.policy ?? null,
    comment: state.record?.comment ?? null,
    changedAt: state.record?.changedAt ?? null,
    inForceRevision: state.inForce?.revision ?? null,
    ...(state.problem === undefined ? {} : { problem: state.problem }),
  };
}

function historyEntry(rev: PolicyRevision) {
  return {
    revision: rev.revision,
    removed: rev.record === null && rev.unreadable === undefined,
    policy: rev.record?.policy ?? null,
    comment: rev.record?.comment ?? null,
    changedAt: rev.record?.changedAt ?? null,
    ...(rev.unreadable === undefined ? {} : { problem: rev.unreadable }),
  };
}

function changeOf(body: unknown): { policy: unknown; comment: string | undefined; expectedRevision: number | undefined } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("INVALID_FIELD", "send {\"policy\": {...}, \"comment\": \"...\"} as application/json", "policy");
  }
  const { policy, comment, expectedRevision, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new GatewayError("INVALID_FIELD", `${unknown} is not a field of a policy change (policy, comment, expectedRevision)`, unknown);
  if (policy === undefined) throw new GatewayError("INVALID_FIELD", "policy is required", "policy");
  if (comment !== undefined && (typeof comment !== "string" || comment.length > 1024)) {
    throw new GatewayError("INVALID_FIELD", "comment must be a string of at most 1024 characters", "comment");
  }
  if (expectedRevision !== undefined && !(expectedRevision === 0 || isRevision(expectedRevision))) {
    throw new GatewayError("INVALID_FIELD", "expectedRevision must be a whole number, 0 for no policy yet", "expectedRevision");
  }
  return { policy, comment: comment as string | undefined, expectedRevision: expectedRevision as number | undefined };
}

function revisionParam(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !isRevision(value)) throw new GatewayError("INVALID_FIELD", "expectedRevision must be a whole number above 0", "expectedRevision");
  return value;
}

function isRevision(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** Deployments the policy names that no live instance belongs to: their requests fall back to the shared group. */
function warnings(directory: ServiceDirectory, policy: TrafficPolicy): string[] {
  if (!directory.ready) return [];
  return deploymentsNamed(policy)
    .filter((d) => directory.ofDeployment(d).length === 0)
    .map((d) => `no live instance belongs to ${d}: until one does, its requests go to the shared queue group and its shadow copies fail`);
}

function applied(traffic: TrafficControl, service: string, revision: number): Promise<void> {
  return traffic.whenApplied(service, (state) => (state?.revision ?? 0) >= revision, APPLY_WAIT_MS);
}

function removed(traffic: TrafficControl, service: string): Promise<void> {
  return traffic.whenApplied(service, (state) => state === undefined, APPLY_WAIT_MS);
}
