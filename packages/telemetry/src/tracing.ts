import { context, trace, type Context, type Tracer } from "@opentelemetry/api";
import { getNumberFromEnv, getStringFromEnv, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** A process's tracing, on because the standard OTLP variables ask for it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Exports the spans still queued, then stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** service.name, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  serviceVersion: string;
  /** More resource attributes: service.instance.id, switchyard.deployment, ... */
  attributes?: Record<string, string>;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Tracing as OpenTelemetry's standard variables configure it: on when OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (spans go there over OTLP/HTTP, Protobuf), unless
 * OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true. Off, it returns undefined and no span is
 * ever made: the callers skip tracing altogether, so it costs nothing.
 */
export function startTracing(options: TracingOptions, env: Env = process.env): Tracing | undefined {
  const endpoint = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  if (!endpoint || env["OTEL_TRACES_EXPORTER"] === "none" || env["OTEL_SDK_DISABLED"] === "true") return undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": getStringFromEnv("OTEL_SERVICE_NAME") ?? options.serviceName,
      "service.version": options.serviceVersion,
      ...options.attributes,
    }),
    // The SDK's BatchSpanProcessor no longer reads its OTEL_BSP_* variables itself.
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        ...optional("scheduledDelayMillis", getNumberFromEnv("OTEL_BSP_SCHEDULE_DELAY")),
        ...optional("maxQueueSize", getNumberFromEnv("OTEL_BSP_MAX_QUEUE_SIZE")),
        ...optional("maxExportBatchSize", getNumberFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE")),
        ...optional("exportTimeoutMillis", getNumberFromEnv("OTEL_BSP_EXPORT_TIMEOUT")),
      }),
    ],
  });
  return { tracer: provider.getTracer("switchyard"), shutdown: () => provider.shutdown() };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

const propagator = new W3CTraceContextPropagator();
const getter = {
  keys: (carrier: Record<string, string | undefined>) => Object.keys(carrier),
  get: (carrier: Record<string, string | undefined>, key: string) => carrier[key],
};

/** The context a span continues: the W3C trace context of the request, when it has a valid one. */
export function parentContext(traceparent: string | undefined, tracestate: string | undefined): Context {
  if (traceparent === undefined) return context.active();
  return propagator.extract(context.active(), { traceparent, tracestate }, getter);
}

/** The W3C traceparent that makes the next hop a child of `span`. */
export function traceparentOf(span: { spanContext(): { traceId: string; spanId: string; traceFlags: number } }): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, "0")}`;
}

export { trace };
