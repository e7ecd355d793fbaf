import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { natsOptionsFromEnv, writeNatsCredentials, type WrittenNatsCredentials } from "@switchyard/protocol";
import { startNatsServer, type NatsServer } from "@switchyard/testing";

/** A nats-server that knows only the roles' credentials (writeNatsCredentials), for permission tests. */
export interface RoleServer {
  readonly dir: string;
  readonly credentials: WrittenNatsCredentials;
  readonly ns: NatsServer;
  /** A connection as `role`, made the way every process reads its role's env file. */
  as(role: string): Promise<NatsConnection>;
  close(): Promise<void>;
}

export async function startRoleServer(options: { jetstream?: boolean } = {}): Promise<RoleServer> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-creds-"));
  const credentials = await writeNatsCredentials(dir);
  const ns = await startNatsServer({ ...options, extraConfig: await readFile(credentials.serverConfigFile, "utf8") });
  const open: NatsConnection[] = [];
  return {
    dir,
    credentials,
    ns,
    async as(role) {
      const env = credentials.roles.get(role)?.env;
      assert.ok(env, `no role ${role}`);
      const nc = await connect(await natsOptionsFromEnv({ ...env, NATS_URL: ns.url }, `as-${role}`));
      open.push(nc);
      return nc;
    },
    async close() {
      await Promise.all(open.map((nc) => nc.close()));
      await ns.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
