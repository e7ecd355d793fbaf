import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildGateway } from "@switchyard/gateway";
import { natsOptionsFromEnv, STREAM_WINDOW, writeNatsCredentials, type WrittenNatsCredentials } from "@switchyard/protocol";
import type { RunningService } from "@switchyard/service";
import { describeOutput, REPO_ROOT, startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import type { FastifyInstance } from "fastify";
import { testConfig } from "./harness.js";
import { ndjson, numberedIds, storeUsers } from "./stream-client.js";

const quiet = { info: () => undefined, error: () => undefined };

// Streams as `make up` runs them: every process with its role's NATS credentials, which allow the
// stream's messages, its credit and its cancel on the subjects the convention names, and no others.
describe("a server-streaming RPC with each role's NATS credentials", () => {
  let dir: string;
  let credentials: WrittenNatsCredentials;
  let ns: NatsServer;
  let app: FastifyInstance;
  let ts: RunningService | undefined;
  let rb: Target | undefined;
  const open: NatsConnection[] = [];
  // More than a window: the stream ends only if the gateway's credit reaches the service.
  const ids = numberedIds("k", STREAM_WINDOW * 3);

  const roleEnv = (role: string): Record<string, string> => {
    const env = credentials.roles.get(role)?.env;
    assert.ok(env, `no role ${role}`);
    return { ...env, NATS_URL: ns.url };
  };
  const as = async (role: string): Promise<NatsConnection> => {
    const nc = await connect(await natsOptionsFromEnv(roleEnv(role), `as-${role}`));
    open.push(nc);
    return nc;
  };
  const streamedIds = async (): Promise<string[]> => {
    const res = await app.inject({ method: "GET", url: "/users:stream?afterId=k" });
    assert.equal(res.statusCode, 200, res.body);
    const lines = ndjson(res.body);
    assert.equal(lines.some((line) => "error" in line), false, res.body);
    return lines.map((line) => (line["result"] as { id: string }).id);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-stream-roles-"));
    credentials = await writeNatsCredentials(dir);
    ns = await startNatsServer({ extraConfig: await readFile(credentials.serverConfigFile, "utf8") });
    const gateway = await as("gateway");
    app = buildGateway({
      nc: gateway,
      services: contractFiles.flatMap((f) => f.services),
      config: testConfig,
      inboxPrefix: roleEnv("gateway")["NATS_INBOX_PREFIX"],
    });
    await app.ready();
    const users = await as("users");
    ts = await startUsersService(users, quiet);
    await storeUsers(users, ids);
  });
  after(async () => {
    await ts?.stop();
    await rb?.kill();
    await app?.close();
    await Promise.all(open.map((nc) => nc.close()));
    await ns?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("streams through users-ts", async () => {
    assert.deepEqual(await streamedIds(), ids);
  });

  it("streams through users-rb", { timeout: 30_000 }, async () => {
    await ts!.stop();
    ts = undefined;
    rb = startTarget({ command: "cd services/users-rb && exec bundle exec bin/users-rb", cwd: REPO_ROOT, natsUrl: ns.url, env: roleEnv("users") });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await app.inject({ method: "GET", url: "/" });
      if (res.statusCode === 200) break;
      if (rb.exit !== undefined || Date.now() > deadline) assert.fail(`users-rb did not serve\n${describeOutput(rb.output())}`);
      await sleep(100);
    }
    assert.deepEqual(await streamedIds(), ids);
  });
});
