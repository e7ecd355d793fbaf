import { after, before, describe } from "node:test";
import { UserService } from "@switchyard/contracts";
import { REPO_ROOT } from "@switchyard/testing";
import { carriedContractTests } from "./carried-contract.js";
import { boundsTests } from "./users/bounds.js";
import { concurrencyTests } from "./users/concurrency.js";
import { createUserTests } from "./users/create-user.js";
import { deadlineTests } from "./users/deadlines.js";
import { deleteUserTests } from "./users/delete-user.js";
import { deploymentTests } from "./users/deployment.js";
import { discoveryTests } from "./users/discovery.js";
import { gatewayParityTests } from "./users/gateway-parity.js";
import { getUserTests } from "./users/get-user.js";
import { idempotencyKeyTests } from "./users/idempotency-key.js";
import { kvLayoutTests } from "./users/kv-layout.js";
import { listUsersTests } from "./users/list-users.js";
import { malformedTests } from "./users/malformed.js";
import { pingTests } from "./users/ping.js";
import { queueGroupTests } from "./users/queue-group.js";
import { shutdownTests } from "./users/shutdown.js";
import { statsTests } from "./users/stats.js";
import { streamUsersTests } from "./users/stream-users.js";
import { UsersSuiteContext } from "./users/suite-context.js";
import { textRuleTests } from "./users/text-rules.js";
import { updateUserTests } from "./users/update-user.js";

export interface UsersSuiteOptions {
  /** Shell command starting one instance; it reads NATS_URL and should `exec` the service. */
  target: string;
  /** Working directory of the command (default: the repository root). */
  cwd?: string;
  /** How long the instance has to answer its first Ping (default 20 s). */
  readyTimeoutMs?: number;
  /** How long the instance has to exit after SIGTERM (default 10 s, as services/README.md allows). */
  stopTimeoutMs?: number;
  /** Echo the instance's output to stderr (default false). */
  echo?: boolean;
}

/**
 * Registers the users.v1.UserService conformance tests (services/README.md) with node:test: one
 * nats-server and one instance of the target for the whole suite, driven over NATS only.
 */
export function registerUsersSuite(options: UsersSuiteOptions): void {
  const ctx = new UsersSuiteContext();
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  describe(`users.v1.UserService conformance: ${options.target}`, () => {
    before(
      () =>
        ctx.start({
          command: options.target,
          cwd: options.cwd ?? REPO_ROOT,
          readyTimeoutMs,
          echo: options.echo ?? false,
        }),
      { timeout: readyTimeoutMs + 15_000 },
    );
    after(() => ctx.stop());

    pingTests(ctx);
    createUserTests(ctx);
    getUserTests(ctx);
    kvLayoutTests(ctx);
    updateUserTests(ctx);
    deleteUserTests(ctx);
    // After the others that store users: it lists the whole bucket, too.
    listUsersTests(ctx);
    streamUsersTests(ctx);
    malformedTests(ctx);
    boundsTests(ctx);
    textRuleTests(ctx);
    gatewayParityTests(ctx);
    deadlineTests(ctx);
    concurrencyTests(ctx);
    idempotencyKeyTests(ctx);
    // After the others: it counts their requests.
    discoveryTests(ctx);
    deploymentTests(ctx);
    queueGroupTests(ctx);
    carriedContractTests(ctx, UserService);
    // After every other request: it checks the counters of all of them.
    statsTests(ctx);
    // Last: it stops the instance.
    shutdownTests(ctx, stopTimeoutMs);
  });
}
