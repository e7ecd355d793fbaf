import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary, type DescMethod } from "@bufbuild/protobuf";
import { GetUserRequestSchema, PingRequestSchema, UserService } from "@switchyard/contracts";
import { methodSubject } from "@switchyard/protocol";
import { DEPLOYMENT, deploymentSubject, SERVICE_NAME } from "./fixtures.js";
import type { UsersSuiteContext } from "./suite-context.js";

interface Endpoint {
  name: string;
  subject: string;
  queue_group: string;
  num_requests?: number;
}

/** An instance belongs to a deployment: it says so, and answers for that deployment alone. */
export function deploymentTests(ctx: UsersSuiteContext): void {
  describe("deployments", () => {
    it("names in its metadata the deployment SWITCHYARD_DEPLOYMENT gave it", async () => {
      const info = await ctx.discover("INFO");
      assert.equal((info["metadata"] as Record<string, unknown>)["deployment"], DEPLOYMENT);
    });

    it("serves every RPC a second time, as <Rpc>-<deployment> on the deployment's subject, in the deployment's queue group", async () => {
      const info = await ctx.discover("INFO");
      const own = ((info["endpoints"] ?? []) as Endpoint[])
        .filter((e) => e.queue_group === DEPLOYMENT)
        .map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const expected = UserService.methods
        .map((m) => ({ name: `${m.name}-${DEPLOYMENT}`, subject: deploymentSubject(methodSubject(m)), queue_group: DEPLOYMENT }))
        .sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(own, expected);
    });

    it("answers on the deployment's subject as on the shared one, and names its deployment on every reply", async () => {
      const ping = toBinary(PingRequestSchema, create(PingRequestSchema));
      const missing = toBinary(GetUserRequestSchema, create(GetUserRequestSchema, { id: "no-such-user" }));
      const pingMethod = UserService.method.ping;
      const getMethod = UserService.method.getUser;
      for (const [label, subjectOf] of [
        ["shared", methodSubject],
        ["deployment", (m: DescMethod) => deploymentSubject(methodSubject(m))],
      ] as const) {
        const ok = await ctx.rpc.callRaw(pingMethod, ping, subjectOf(pingMethod));
        assert.equal(ok.status, undefined, `Ping on the ${label} subject succeeds`);
        assert.equal(ok.deployment, DEPLOYMENT, `a success on the ${label} subject names the deployment`);
        const error = await ctx.rpc.callRaw(getMethod, missing, subjectOf(getMethod));
        assert.equal(error.reason, "NOT_FOUND", `GetUser on the ${label} subject answers NOT_FOUND`);
        assert.equal(error.deployment, DEPLOYMENT, `an error reply on the ${label} subject names the deployment`);
      }
    });

    it(`counts requests on the deployment's endpoint apart from the shared one in $SRV.STATS.${SERVICE_NAME}`, async () => {
      const count = async () => {
        const endpoints = ((await ctx.discover("STATS"))["endpoints"] ?? []) as Endpoint[];
        const of = (name: string) => Number(endpoints.find((e) => e.name === name)?.num_requests ?? Number.NaN);
        return { shared: of("Ping"), own: of(`Ping-${DEPLOYMENT}`) };
      };
      const before = await count();
      const ping = toBinary(PingRequestSchema, create(PingRequestSchema));
      for (let i = 0; i < 3; i++) await ctx.rpc.callRaw(UserService.method.ping, ping, deploymentSubject(methodSubject(UserService.method.ping)));
      const after = await count();
      assert.deepEqual({ shared: after.shared - before.shared, own: after.own - before.own }, { shared: 0, own: 3 });
    });
  });
}
