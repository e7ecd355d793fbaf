import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { assertStats, type SrvEndpointStats } from "../observe/srv-responses.js";
import { DEPLOYMENT, deploymentSubject, endpointsBySubject, MALFORMED, SERVICE_NAME } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

const { ping, getUser } = UserService.method;

/** The counters that must match what was seen on the wire. */
function counted(endpoint: SrvEndpointStats | undefined): { num_requests: number; num_errors: number } {
  return { num_requests: endpoint?.num_requests ?? 0, num_errors: endpoint?.num_errors ?? 0 };
}

/**
 * `$SRV.STATS` counted exactly, against the wiretap that saw every request the instance answered
 * since it started (the suite's, the readiness probes', the reference instance's rejects): a count
 * off by one, or errors counted as successes, shows.
 */
export function statsTests(ctx: UsersSuiteContext): void {
  describe(`$SRV.STATS.${SERVICE_NAME}, counted exactly`, () => {
    const stats = async (): Promise<Map<string, SrvEndpointStats>> => {
      const json = await ctx.discover("STATS");
      assertStats(json);
      return new Map(json.endpoints.map((e) => [e.name, e]));
    };
    const endpointNames = [...endpointsBySubject().values()];

    it("every endpoint counts the requests it answered and the error replies among them, since the instance started", async () => {
      await ctx.wiretap.settle();
      const now = await stats();
      const got = Object.fromEntries(endpointNames.map((name) => [name, counted(now.get(name))]));
      const seen = Object.fromEntries(
        endpointNames.map((name) => {
          const { requests, errors } = ctx.wiretap.tally(name);
          return [name, { num_requests: requests, num_errors: errors }];
        }),
      );
      assert.deepEqual(got, seen, "num_requests and num_errors of each endpoint, against the requests it answered on the wire");
    });

    it("after a known sequence: Ping ×3, GetUser refused ×2, Ping on the deployment's subject ×1", async () => {
      const before = await stats();
      const pingBytes = toBinary(PingRequestSchema, create(PingRequestSchema));
      for (let i = 0; i < 3; i++) await ctx.rpc.callRaw(ping, pingBytes);
      for (let i = 0; i < 2; i++) await ctx.rpc.callRaw(getUser, MALFORMED);
      await ctx.rpc.callRaw(ping, pingBytes, deploymentSubject(methodSubject(ping)));
      await ctx.wiretap.settle();
      const after = await stats();

      const expected: Record<string, { num_requests: number; num_errors: number }> = Object.fromEntries(endpointNames.map((name) => [name, { num_requests: 0, num_errors: 0 }]));
      expected["Ping"] = { num_requests: 3, num_errors: 0 };
      expected["GetUser"] = { num_requests: 2, num_errors: 2 };
      expected[`Ping-${DEPLOYMENT}`] = { num_requests: 1, num_errors: 0 };
      const delta = Object.fromEntries(
        endpointNames.map((name) => {
          const [a, b] = [counted(after.get(name)), counted(before.get(name))];
          return [name, { num_requests: a.num_requests - b.num_requests, num_errors: a.num_errors - b.num_errors }];
        }),
      );
      assert.deepEqual(delta, expected, "what each endpoint's counters grew by");
      assert.equal(after.get("GetUser")?.last_error, ctx.wiretap.tally("GetUser").lastError, 'GetUser last_error is "<Nats-Service-Error-Code>:<Nats-Service-Error>" of its last error reply');
    });

    it("processing_time adds up the nanoseconds spent; average_processing_time is it over num_requests", async () => {
      for (const endpoint of (await stats()).values()) {
        if (endpoint.num_requests === 0) {
          assert.equal(endpoint.processing_time, 0, `${endpoint.name}: no time without a request`);
          continue;
        }
        assert.ok(endpoint.processing_time > 0, `${endpoint.name}: processing_time > 0 after ${endpoint.num_requests} requests`);
        const average = endpoint.processing_time / endpoint.num_requests;
        assert.ok(Math.abs(endpoint.average_processing_time - average) <= 1, `${endpoint.name}: average_processing_time ${endpoint.average_processing_time} is ${average}, give or take rounding`);
      }
    });
  });
}
