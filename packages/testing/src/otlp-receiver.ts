import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/** One span as an OTLP exporter sent it, ids in lowercase hex. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP's StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** The resource of the process that sent it (service.name, ...). */
  resource: Record<string, string | number | boolean>;
}

/** The OTLP span kinds, by name. */
export const SpanKindCode = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/**
 * An OTLP/HTTP trace receiver on loopback, as a collector would be: it takes POST /v1/traces in
 * Protobuf (gzipped or not) from any exporter, TypeScript or Ruby, and keeps the spans.
 */
export interface OtlpReceiver extends AsyncDisposable {
  /** http://127.0.0.1:<port>: what OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  /** Resolves once `predicate` holds of the spans received, or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = Buffer.concat(chunks);
        spans.push(...decodeExportRequest(req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body));
        // An empty ExportTraceServiceResponse: everything was accepted.
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) throw new Error(`the spans received never matched; got ${JSON.stringify(spans, null, 1)}`);
        await sleep(50);
      }
      return spans;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

// The field numbers of opentelemetry-proto's collector/trace/v1, trace/v1, resource/v1 and
// common/v1 messages, for the fields a test reads; the rest are skipped.

function decodeExportRequest(bytes: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  fields(bytes, (no, r) => {
    if (no === 1) out.push(...resourceSpans(r.bytes()));
    else return false;
    return true;
  });
  return out;
}

function resourceSpans(bytes: Uint8Array): ReceivedSpan[] {
  let resource: Record<string, string | number | boolean> = {};
  const scoped: Uint8Array[] = [];
  fields(bytes, (no, r) => {
    if (no === 1) resource = attributesOf(r.bytes(), 1);
    else if (no === 2) scoped.push(r.bytes());
    else return false;
    return true;
  });
  return scoped.flatMap((s) => {
    const spans: ReceivedSpan[] = [];
    fields(s, (no, r) => {
      if (no === 2) spans.push(span(r.bytes(), resource));
      else return false;
      return true;
    });
    return spans;
  });
}

function span(bytes: Uint8Array, resource: ReceivedSpan["resource"]): ReceivedSpan {
  const s: ReceivedSpan = { traceId: "", spanId: "", parentSpanId: "", name: "", kind: 0, attributes: {}, statusCode: 0, resource };
  fields(bytes, (no, r) => {
    if (no === 1) s.traceId = hex(r.bytes());
    else if (no === 2) s.spanId = hex(r.bytes());
    else if (no === 4) s.parentSpanId = hex(r.bytes());
    else if (no === 5) s.name = r.string();
    else if (no === 6) s.kind = r.int32();
    else if (no === 9) Object.assign(s.attributes, keyValue(r.bytes()));
    else if (no === 15) s.statusCode = statusCode(r.bytes());
    else return false;
    return true;
  });
  return s;
}

function statusCode(bytes: Uint8Array): number {
  let code = 0;
  fields(bytes, (no, r) => {
    if (no === 3) code = r.int32();
    else return false;
    return true;
  });
  return code;
}

/** The KeyValue list at field `fieldNo` of a message (Resource.attributes is 1). */
function attributesOf(bytes: Uint8Array, fieldNo: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  fields(bytes, (no, r) => {
    if (no === fieldNo) Object.assign(out, keyValue(r.bytes()));
    else return false;
    return true;
  });
  return out;
}

function keyValue(bytes: Uint8Array): Record<string, string | number | boolean> {
  let key = "";
  let value: string | number | boolean = "";
  fields(bytes, (no, r) => {
    if (no === 1) key = r.string();
    else if (no === 2) value = anyValue(r.bytes());
    else return false;
    return true;
  });
  return { [key]: value };
}

function anyValue(bytes: Uint8Array): string | number | boolean {
  let value: string | number | boolean = "";
  fields(bytes, (no, r) => {
    if (no === 1) value = r.string();
    else if (no === 2) value = r.bool();
    else if (no === 3) value = Number(r.int64());
    else if (no === 4) value = r.double();
    else return false;
    return true;
  });
  return value;
}

/** Calls `read` for each field; a field it does not take (returns false) is skipped. */
function fields(bytes: Uint8Array, read: (fieldNo: number, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const start = reader.pos;
    if (!read(fieldNo, reader)) {
      reader.pos = start;
      reader.skip(wireType as WireType, fieldNo);
    }
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
