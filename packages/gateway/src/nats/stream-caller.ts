import type { IncomingHttpHeaders } from "node:http";
import type { Msg, MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { GatewayError } from "../errors.js";
import type { Route } from "../routes/route.js";
import type { UpstreamStats } from "../stats/upstream-stats.js";
import type { TrafficControl } from "../traffic/traffic-control.js";
import { StreamCall } from "./stream-call.js";

/** nats.js's inbox prefix when the connection names none. */
const DEFAULT_INBOX_PREFIX = "_INBOX";

export interface StreamCallerOptions {
  /** How long a whole stream may last: the gateway's REQUEST_TIMEOUT_MS, sent as its deadline. */
  readonly timeoutMs: number;
  /** The connection's NATS_INBOX_PREFIX. */
  readonly inboxPrefix: string | undefined;
  readonly traffic: TrafficControl;
  /** Undefined with METRICS=false: nothing is counted. */
  readonly stats: UpstreamStats | undefined;
  readonly connected: () => boolean;
}

/** A stream under way: its call, and its first message (undefined when it ended at once, successfully). */
export interface OpenedStream {
  readonly call: StreamCall;
  readonly first: Msg | undefined;
}

/**
 * Starts server-streaming calls where the traffic policy says, as the Forwarder does for unary ones:
 * to the deployment it picks, or to the shared queue group when none applies or the one picked has
 * no live instance. No shadow copy: a stream is not compared. Counts each stream, once it is over,
 * under the deployment that answered.
 */
export class StreamCaller {
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: StreamCallerOptions,
  ) {}

  /**
   * Resolves once the stream's first message came; rejects with a GatewayError when it ended before
   * one (the service's error, no responders, the deadline). `gone` aborts when the HTTP client
   * leaves: the stream is cancelled.
   */
  async open(
    route: Route,
    payload: Uint8Array,
    headers: MsgHdrs,
    http: IncomingHttpHeaders,
    params: ReadonlyMap<string, string>,
    gone: AbortSignal,
  ): Promise<OpenedStream> {
    if (!this.options.connected()) throw new GatewayError("NATS_UNAVAILABLE", "the message bus is not reachable; retry shortly");
    headers.set(Headers.timeoutMs, String(this.options.timeoutMs));
    const plan = this.options.traffic.planFor(route);
    const target = plan?.pick(http, params);
    if (target === undefined) return this.start(route, route.subject, payload, headers, "", gone);
    try {
      return await this.start(route, plan!.subjectOf(target), payload, headers, target, gone);
    } catch (err) {
      if (!GatewayError.is(err) || err.code !== "NO_SERVICE") throw err;
      const upstream = this.options.stats?.of(route.method, target);
      if (upstream !== undefined) upstream.fallbacks++;
      return this.start(route, route.subject, payload, headers, "", gone);
    }
  }

  private async start(route: Route, subject: string, payload: Uint8Array, headers: MsgHdrs, target: string, gone: AbortSignal): Promise<OpenedStream> {
    const call = new StreamCall(this.nc, subject, payload, headers, {
      inboxPrefix: this.options.inboxPrefix ?? DEFAULT_INBOX_PREFIX,
      service: route.method.parent.typeName,
      timeoutMs: this.options.timeoutMs,
    });
    const cancel = () => call.cancel();
    gone.addEventListener("abort", cancel, { once: true });
    if (gone.aborted) cancel();
    const stats = this.options.stats;
    const started = performance.now();
    const pending = stats?.of(route.method, target);
    if (pending !== undefined) pending.inFlight++;
    void call.closed.then(() => {
      gone.removeEventListener("abort", cancel);
      if (pending === undefined) return;
      pending.inFlight--;
      // A deployment with no instance: open() sends to the shared queue group, and counts that stream.
      if (target !== "" && call.outcome === "no_responders") return;
      const answeredBy = call.head?.get(Headers.deployment) || target;
      stats!.of(route.method, answeredBy).record(call.outcome ?? "ok", performance.now() - started, Date.now());
    });
    return { call, first: await call.next() };
  }
}
