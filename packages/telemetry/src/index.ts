export { startTracing, parentContext, traceparentOf, trace, type Tracing, type TracingOptions } from "./tracing.js";
export { jsonLogger, traceIdOf, type Pino } from "./logger.js";
export { RPC_SYSTEM, SpanAttr } from "./span-attributes.js";
