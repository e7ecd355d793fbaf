import { after, before, describe } from "node:test";
import { REPO_ROOT } from "@switchyard/testing";
import { genericDiscoveryTests } from "./generic/discovery.js";
import { drainTests } from "./generic/drain.js";
import { loadService } from "./generic/fixtures.js";
import { metadataTests } from "./generic/metadata.js";
import { GenericSuiteContext } from "./generic/suite-context.js";

export interface GenericSuiteOptions {
  /** Shell command starting one instance; it reads NATS_URL and should `exec` the service. */
  target: string;
  /** A serialized google.protobuf.FileDescriptorSet with the contract and its imports (`buf build -o x.binpb`). */
  descriptors: string;
  /** The contract service the instance implements, by full name (echo.v1.EchoService). */
  service: string;
  /** The micro service name it must register (default: the one it registers). */
  name?: string;
  /** Working directory of the command (default: the repository root). */
  cwd?: string;
  /** How long the instance has to list every RPC in $SRV.INFO (default 20 s). */
  readyTimeoutMs?: number;
  /** How long the instance has to exit after SIGTERM (default 10 s, as services/README.md allows). */
  stopTimeoutMs?: number;
  /** Echo the instance's output to stderr (default false). */
  echo?: boolean;
}

/**
 * Registers the checks that hold for any contract's implementation, whatever its business logic:
 * discovery ("micro service discovery"), what it says about itself ("metadata"), and the drain on
 * SIGTERM ("drain"), each a describe of its own for --test-name-pattern.
 */
export function registerGenericSuite(options: GenericSuiteOptions): void {
  const ctx = new GenericSuiteContext(loadService(options.descriptors, options.service), options.name);
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  describe(`${options.service} conformance (generic): ${options.target}`, () => {
    before(() => ctx.start({ command: options.target, cwd: options.cwd ?? REPO_ROOT, readyTimeoutMs, echo: options.echo ?? false }), {
      timeout: readyTimeoutMs + 15_000,
    });
    after(() => ctx.stop());

    genericDiscoveryTests(ctx, ctx.service);
    metadataTests(ctx);
    // Last: it stops the instance.
    drainTests(ctx, stopTimeoutMs);
  });
}
