import { describe } from "node:test";
import { UserService } from "@switchyard/contracts";
import { genericDiscoveryTests, identityTests } from "../generic/discovery.js";
import type { UsersSuiteContext } from "./suite-context.js";

/**
 * The NATS services API (ADR-32): how operators and tools see the implementation, in the shapes
 * services/README.md shows. The generic suite's groups, on the users contract.
 */
export function discoveryTests(ctx: UsersSuiteContext): void {
  genericDiscoveryTests(ctx, UserService);
  describe("metadata", () => identityTests(ctx, UserService));
}
