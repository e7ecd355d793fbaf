import { fromBinary, toJson, type DescMessage, type Message } from "@bufbuild/protobuf";
import { headers as natsHeaders, type Msg, type MsgHdrs } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import { httpFromReply } from "../headers/reply-headers.js";
import type { ServiceCaller } from "../nats/call-service.js";
import { replyOutcome } from "../nats/call-service.js";
import type { RoutePlan, ShadowPlan } from "../traffic/route-plan.js";
import { diffMessages } from "./message-diff.js";
import type { Comparisons, ShadowFailure, ShadowResults, ShownReply } from "./shadow-results.js";

/** A reply as compared: its outcome and, for a success, its decoded message. */
export type View =
  | { status: "ok"; httpStatus: number; message: Message | undefined; deployment: string }
  | { status: "error"; code: string; field: string; deployment: string };

/**
 * Sends the shadow's copies of sampled requests and compares the replies with the primary's, off
 * the request path: the client's reply never waits for a copy, and a copy's failure or slowness
 * only shows in the report. Copies in flight are capped, so a slow shadow cannot hold the
 * gateway's memory; past the cap, requests go uncopied and are counted.
 */
export class ShadowRunner {
  private inFlight = 0;

  constructor(
    private readonly caller: ServiceCaller,
    readonly results: ShadowResults,
    private readonly maxInFlight: number,
  ) {}

  /**
   * Copies one request already sent to `target` (undefined: the shared queue group) to the plan's
   * shadow, and sometimes a second time to the primary, then compares once all have answered.
   */
  copy(plan: RoutePlan, target: string | undefined, payload: Uint8Array, headers: MsgHdrs, primary: Promise<Msg>): void {
    const shadow = plan.shadow!;
    const comparisons = this.results.of(plan.route.subject, shadow.deployment);
    if (target === shadow.deployment) {
      skip(comparisons, "same-deployment");
      return;
    }
    if (this.inFlight >= this.maxInFlight) {
      skip(comparisons, "overloaded");
      return;
    }
    comparisons.sent++;
    const candidate = this.send(shadow.subject, payload, copyOf(headers, "candidate"));
    const twin =
      Math.random() < shadow.noiseFraction
        ? this.send(target === undefined ? plan.route.subject : plan.subjectOf(target), payload, copyOf(headers, "noise"))
        : undefined;
    void this.compare(plan, shadow, comparisons, payload, headers.get(Headers.requestId), primary.then(ok, failed), candidate, twin);
  }

  private send(subject: string, payload: Uint8Array, headers: MsgHdrs): Promise<Msg | GatewayError> {
    this.inFlight++;
    return this.caller.request(subject, payload, headers).then(ok, failed).finally(() => this.inFlight--);
  }

  private async compare(
    plan: RoutePlan,
    shadow: ShadowPlan,
    comparisons: Comparisons,
    payload: Uint8Array,
    requestId: string,
    primaryReply: Promise<Msg | GatewayError>,
    candidateReply: Promise<Msg | GatewayError>,
    twinReply: Promise<Msg | GatewayError> | undefined,
  ): Promise<void> {
    const [primary, candidate, twin] = await Promise.all([primaryReply, candidateReply, twinReply]);
    if (primary instanceof GatewayError) return skip(comparisons, "primary-failed");
    const output = plan.route.method.output;
    const p = view(output, primary);
    if (p.deployment === shadow.deployment) return skip(comparisons, "same-deployment");
    if (candidate instanceof GatewayError) {
      const kind = failureOf(candidate);
      comparisons.shadowFailures[kind] = (comparisons.shadowFailures[kind] ?? 0) + 1;
      return;
    }
    const c = view(output, candidate);
    // A second answer of the primary's deployment: what differs there is noise, not a mismatch.
    if (twin !== undefined && !(twin instanceof GatewayError)) {
      const t = view(output, twin);
      if (t.deployment === p.deployment) comparisons.recordNoise(differences(output, p, t, shadow.ignore));
    }
    comparisons.record(differences(output, p, c, shadow.ignore), () => ({
      at: new Date().toISOString(),
      requestId,
      request: jsonOf(plan.route.method.input, payload),
      primary: shown(output, p),
      shadow: shown(output, c),
    }));
  }
}

function ok(msg: Msg): Msg {
  return msg;
}

function failed(err: unknown): GatewayError {
  return GatewayError.is(err) ? err : new GatewayError("GATEWAY_INTERNAL", String(err));
}

function skip(comparisons: Comparisons, reason: "same-deployment" | "overloaded" | "primary-failed"): void {
  comparisons.skipped[reason] = (comparisons.skipped[reason] ?? 0) + 1;
}

function failureOf(err: GatewayError): ShadowFailure {
  if (err.code === "SERVICE_TIMEOUT") return "timeout";
  if (err.code === "NO_SERVICE") return "no-responders";
  return "unavailable";
}

/** The same request headers, marked as a copy: a service can tell a shadow's request from a client's. */
function copyOf(headers: MsgHdrs, kind: "candidate" | "noise"): MsgHdrs {
  const copy = natsHeaders();
  for (const key of headers.keys()) for (const value of headers.values(key)) copy.append(key, value);
  copy.set(Headers.shadow, kind);
  return copy;
}

function view(output: DescMessage, reply: Msg): View {
  const deployment = reply.headers?.get(Headers.deployment) ?? "";
  const outcome = replyOutcome(reply);
  if (outcome !== "ok") return { status: "error", code: outcome, field: reply.headers?.get(Headers.errorField) ?? "", deployment };
  let message: Message | undefined;
  try {
    message = fromBinary(output, reply.data);
  } catch {
    message = undefined;
  }
  return { status: "ok", httpStatus: httpFromReply(reply.headers).status, message, deployment };
}

/**
 * The differing fields of two replies, as proto field paths, with pseudo-fields for what is not a
 * field: `(status)` one succeeded and the other failed, `(code)` and `(field)` of two errors,
 * `(http_status)` of two successes, `(reply)` a reply that does not decode as the RPC's.
 */
export function differences(output: DescMessage, a: View, b: View, ignore: readonly string[]): string[] {
  let fields: string[];
  if (a.status !== b.status) fields = ["(status)"];
  else if (a.status === "error" && b.status === "error") {
    fields = [...(a.code !== b.code ? ["(code)"] : []), ...(a.field !== b.field ? ["(field)"] : [])];
  } else if (a.status === "ok" && b.status === "ok") {
    if (a.message === undefined || b.message === undefined) fields = a.message === b.message ? [] : ["(reply)"];
    else fields = diffMessages(output, a.message, b.message);
    if (a.httpStatus !== b.httpStatus) fields.push("(http_status)");
  } else fields = [];
  return fields.filter((f) => !ignore.some((i) => f === i || f.startsWith(`${i}.`)));
}

function shown(output: DescMessage, v: View): ShownReply {
  if (v.status === "error") return { deployment: v.deployment, status: "error", code: v.code, ...(v.field ? { field: v.field } : {}) };
  const reply = v.message === undefined ? "(does not decode)" : toJson(output, v.message, { useProtoFieldName: true });
  return { deployment: v.deployment, status: "ok", reply };
}

function jsonOf(schema: DescMessage, bytes: Uint8Array): unknown {
  try {
    return toJson(schema, fromBinary(schema, bytes), { useProtoFieldName: true });
  } catch {
    return { $binary: Buffer.from(bytes).toString("base64") };
  }
}
