import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "@switchyard/gateway";

describe("gateway configuration", () => {
  it("has working defaults", async () => {
    const config = await loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.requestTimeoutMs, 5000);
    assert.deepEqual(config.nats.servers, ["nats://127.0.0.1:4222"]);
    assert.equal(config.nats.noAsyncTraces, true);
  });

  it("reads a NATS cluster and credentials", async () => {
    const config = await loadConfig({ NATS_URL: "nats://a:4222, nats://b:4222", NATS_USER: "u", NATS_PASSWORD: "p" });
    assert.deepEqual(config.nats.servers, ["nats://a:4222", "nats://b:4222"]);
    assert.equal(config.nats.user, "u");
    assert.equal(config.nats.pass, "p");
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: "http" }, /^PORT: "http" is not a whole number from 0 to 65535$/],
    [{ PORT: "70000" }, /^PORT:/],
    [{ REQUEST_TIMEOUT_MS: "0" }, /^REQUEST_TIMEOUT_MS:/],
    [{ REQUEST_TIMEOUT_MS: "1.5" }, /^REQUEST_TIMEOUT_MS:/],
    [{ BODY_LIMIT_BYTES: "-1" }, /^BODY_LIMIT_BYTES:/],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL: "loud" is not one of/],
    [{ ACCESS_LOG: "maybe" }, /^ACCESS_LOG:/],
    [{ NATS_URL: "http://x" }, /^NATS_URL:/],
    [{ NATS_URL: " , " }, /^NATS_URL: must name at least one server/],
    [{ NATS_USER: "u" }, /^NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together/],
    [{ NATS_CREDS: "/no/such/file.creds" }, /^NATS_CREDS: cannot read/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a message naming the variable`, async () => {
      await assert.rejects(loadConfig(env), { name: "ConfigError", message });
    });
  }
});
