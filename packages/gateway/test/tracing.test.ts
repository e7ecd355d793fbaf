import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SpanKindCode, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "@switchyard/testing";
import { call, ProcessStack, setPolicy, type Gateway } from "./process-stack.js";

// A collector on loopback, and the gateway, users-ts and users-rb exporting to it, all real
// processes: each request must come out as one trace, the gateway's HTTP and NATS spans and the
// service's span in a line, whichever language served it.
describe("traces across the gateway and both SDKs", () => {
  let stack: ProcessStack;
  let gateway: Gateway;
  let receiver: OtlpReceiver;

  before(async () => {
    receiver = await startOtlpReceiver();
    const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: "100" };
    stack = await ProcessStack.start();
    gateway = await stack.startGateway(otlp);
    await Promise.all([stack.startUsers("users-ts", "ts", otlp), stack.startUsers("users-rb", "rb", otlp)]);
    // The x-impl header picks the implementation, so each language is traced for sure.
    await setPolicy(gateway, {
      rules: [
        { header: "x-impl", equals: "ts", deployment: "users-ts" },
        { header: "x-impl", equals: "rb", deployment: "users-rb" },
      ],
    });
  });
  after(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const trace = async (traceId: string, count: number): Promise<ReceivedSpan[]> => {
    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= count);
    return spans.filter((s) => s.traceId === traceId);
  };

  for (const [impl, deployment, language] of [
    ["ts", "users-ts", "TypeScript"],
    ["rb", "users-rb", "Ruby"],
  ] as const) {
    it(`makes one trace of a request served in ${language}: HTTP server, NATS client, service consumer, each the child of the one before`, async () => {
      const traceId = impl === "ts" ? "4bf92f3577b34da6a3ce929d0e0e4736" : "5bf92f3577b34da6a3ce929d0e0e4736";
      const clientSpan = "00f067aa0ba902b7";
      const res = await call(`${gateway.url}/users`, "POST", { firstName: "Trace", lastName: language }, {
        "x-impl": impl,
        traceparent: `00-${traceId}-${clientSpan}-01`,
      });
      assert.equal(res.status, 200);
      const spans = await trace(traceId, 3);
      assert.equal(spans.length, 3, JSON.stringify(spans, null, 1));

      const server = spans.find((s) => s.kind === SpanKindCode.server)!;
      assert.equal(server.parentSpanId, clientSpan, "the server span continues the client's trace");
      assert.equal(server.name, "POST /users");
      assert.deepEqual(
        [server.attributes["http.request.method"], server.attributes["http.route"], server.attributes["http.response.status_code"], server.attributes["url.path"]],
        ["POST", "/users", 200, "/users"],
      );
      assert.equal(server.resource["service.name"], "switchyard-gateway");

      const client = spans.find((s) => s.kind === SpanKindCode.client)!;
      assert.equal(client.parentSpanId, server.spanId);
      assert.equal(client.name, "send users.v1.UserService.CreateUser");
      assert.equal(client.attributes["messaging.system"], "nats");
      assert.equal(client.attributes["messaging.destination.name"], "users.v1.UserService.CreateUser");
      assert.equal(client.attributes["switchyard.deployment"], deployment);

      const consumer = spans.find((s) => s.kind === SpanKindCode.consumer)!;
      assert.equal(consumer.parentSpanId, client.spanId, "the service continues the gateway's NATS span");
      assert.equal(consumer.name, `process switchyard.deployment.${deployment}.users.v1.UserService.CreateUser`);
      assert.deepEqual(
        [
          consumer.attributes["messaging.system"],
          consumer.attributes["messaging.operation.type"],
          consumer.attributes["messaging.consumer.group.name"],
          consumer.attributes["rpc.service"],
          consumer.attributes["rpc.method"],
          consumer.attributes["switchyard.deployment"],
        ],
        ["nats", "process", deployment, "users.v1.UserService", "CreateUser", deployment],
      );
      assert.equal(consumer.resource["service.name"], deployment);
    });

    it(`marks a ${language} service's error reply with its code, not as a server failure`, async () => {
      const traceId = impl === "ts" ? "6bf92f3577b34da6a3ce929d0e0e4736" : "7bf92f3577b34da6a3ce929d0e0e4736";
      const res = await call(`${gateway.url}/users/nobody`, "GET", undefined, { "x-impl": impl, traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      assert.equal(res.status, 404);
      const spans = await trace(traceId, 3);
      const consumer = spans.find((s) => s.kind === SpanKindCode.consumer)!;
      assert.deepEqual([consumer.attributes["error.type"], consumer.statusCode], ["NOT_FOUND", 0]);
      const client = spans.find((s) => s.kind === SpanKindCode.client)!;
      assert.deepEqual([client.attributes["error.type"], client.statusCode], ["NOT_FOUND", 0]);
      const server = spans.find((s) => s.kind === SpanKindCode.server)!;
      assert.deepEqual([server.attributes["http.response.status_code"], server.statusCode], [404, 0]);
    });
  }

  it("starts a trace for a request that carries none", async () => {
    const before = new Set(receiver.spans.map((s) => s.traceId));
    assert.equal((await call(`${gateway.url}/`, "GET", undefined, { "x-impl": "ts" })).status, 200);
    const spans = await receiver.waitFor((all) => all.some((s) => s.kind === SpanKindCode.consumer && !before.has(s.traceId) && s.name.endsWith(".Ping")));
    const traceId = spans.find((s) => s.kind === SpanKindCode.consumer && !before.has(s.traceId))!.traceId;
    const mine = await trace(traceId, 3);
    assert.equal(mine.find((s) => s.kind === SpanKindCode.server)!.parentSpanId, "", "the gateway's span is the root");
  });
});
