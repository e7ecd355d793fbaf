import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { trace } from "@opentelemetry/api";
import { jsonLogger, parentContext, startTracing, traceIdOf, traceparentOf } from "@switchyard/telemetry";

const options = { serviceName: "test", serviceVersion: "1.0.0" };

describe("startTracing", () => {
  it("is off unless an OTLP endpoint is configured, and off when told so", () => {
    assert.equal(startTracing(options, {}), undefined);
    assert.equal(startTracing(options, { OTEL_EXPORTER_OTLP_ENDPOINT: "" }), undefined);
    assert.equal(startTracing(options, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" }), undefined);
    assert.equal(startTracing(options, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }), undefined);
  });

  it("is on with OTEL_EXPORTER_OTLP_ENDPOINT or the traces endpoint alone", async () => {
    for (const env of [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1" }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:1/v1/traces" }]) {
      const tracing = startTracing(options, env);
      assert.ok(tracing !== undefined, JSON.stringify(env));
      await tracing.shutdown();
    }
  });
});

describe("trace context", () => {
  it("continues a W3C traceparent and writes the next hop's", () => {
    const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const parent = trace.getSpanContext(parentContext(incoming, "k=v"));
    assert.deepEqual([parent?.traceId, parent?.spanId, parent?.traceFlags, parent?.traceState?.get("k")], ["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", 1, "v"]);
    assert.equal(traceparentOf({ spanContext: () => ({ traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: 1 }) }), `00-${"a".repeat(32)}-${"b".repeat(16)}-01`);
    assert.equal(trace.getSpanContext(parentContext("not a traceparent", undefined)), undefined);
  });

  it("reads the trace id of a traceparent for log lines, and nothing from anything else", () => {
    assert.equal(traceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(traceIdOf("00-xyz-00f067aa0ba902b7-01"), undefined);
    assert.equal(traceIdOf(undefined), undefined);
  });
});

describe("jsonLogger", () => {
  it("writes one JSON object a line, in pino's shape, at the level asked", () => {
    const lines: string[] = [];
    const logger = jsonLogger("unit", "warn", { write: (line: string) => void lines.push(line) });
    logger.info("not at warn");
    logger.error({ reqId: "r1", trace_id: "t1" }, "failed");
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!);
    assert.deepEqual([line.level, line.name, line.msg, line.reqId, line.trace_id], [50, "unit", "failed", "r1", "t1"]);
    assert.equal(typeof line.time, "number");
    assert.equal(typeof line.pid, "number");
  });
});
