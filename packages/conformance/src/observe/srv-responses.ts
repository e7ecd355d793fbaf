import assert from "node:assert/strict";

// The JSON the NATS services API (ADR-32) answers on $SRV.PING|INFO|STATS, as services/README.md
// shows it, and checks of its shape: what a tool may rely on, whatever the implementation's library.

export interface SrvPing {
  type: "io.nats.micro.v1.ping_response";
  name: string;
  id: string;
  version: string;
  metadata: Record<string, string>;
}

export interface SrvEndpointInfo {
  name: string;
  subject: string;
  queue_group: string;
  metadata?: Record<string, string> | null;
}

export interface SrvInfo extends Omit<SrvPing, "type"> {
  type: "io.nats.micro.v1.info_response";
  description?: string;
  endpoints: SrvEndpointInfo[];
}

export interface SrvEndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  /** `<code>:<description>` of the last error reply; empty or absent before the first. */
  last_error?: string;
  /** Nanoseconds. */
  processing_time: number;
  average_processing_time: number;
}

export interface SrvStats extends Omit<SrvPing, "type"> {
  type: "io.nats.micro.v1.stats_response";
  /** RFC 3339, UTC. */
  started: string;
  endpoints: SrvEndpointStats[];
}

const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

function assertIdentity(json: Record<string, unknown>, type: string): void {
  assert.equal(json["type"], type, "type");
  for (const key of ["name", "id", "version"]) assert.ok(typeof json[key] === "string" && json[key] !== "", `${key} is a non-empty string`);
  const metadata = json["metadata"];
  assert.ok(typeof metadata === "object" && metadata !== null && !Array.isArray(metadata), "metadata is an object");
  for (const [key, value] of Object.entries(metadata)) assert.equal(typeof value, "string", `metadata.${key} is a string`);
}

function assertEndpoint(endpoint: Record<string, unknown>): void {
  for (const key of ["name", "subject", "queue_group"]) {
    assert.ok(typeof endpoint[key] === "string" && endpoint[key] !== "", `endpoint ${JSON.stringify(endpoint["name"])}: ${key} is a non-empty string`);
  }
}

export function assertPing(json: Record<string, unknown>): asserts json is SrvPing & Record<string, unknown> {
  assertIdentity(json, "io.nats.micro.v1.ping_response");
}

export function assertInfo(json: Record<string, unknown>): asserts json is SrvInfo & Record<string, unknown> {
  assertIdentity(json, "io.nats.micro.v1.info_response");
  assert.ok(Array.isArray(json["endpoints"]), "endpoints is an array");
  for (const endpoint of json["endpoints"] as Record<string, unknown>[]) assertEndpoint(endpoint);
}

export function assertStats(json: Record<string, unknown>): asserts json is SrvStats & Record<string, unknown> {
  assertIdentity(json, "io.nats.micro.v1.stats_response");
  assert.match(String(json["started"]), RFC3339_UTC, "started is an RFC 3339 time in UTC");
  assert.ok(Array.isArray(json["endpoints"]), "endpoints is an array");
  for (const endpoint of json["endpoints"] as Record<string, unknown>[]) {
    assertEndpoint(endpoint);
    const name = JSON.stringify(endpoint["name"]);
    for (const key of ["num_requests", "num_errors", "processing_time", "average_processing_time"]) {
      assert.ok(Number.isSafeInteger(endpoint[key]) && (endpoint[key] as number) >= 0, `endpoint ${name}: ${key} is a whole number`);
    }
    const lastError = endpoint["last_error"];
    assert.ok(lastError === undefined || typeof lastError === "string", `endpoint ${name}: last_error is a string when present`);
  }
}
