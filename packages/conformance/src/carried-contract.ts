import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import type { NatsConnection } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { comparable, contractRegistry, descriptorDigest, orderProblems } from "./observe/descriptor-set.js";
import { assertInfo } from "./observe/srv-responses.js";
import type { RpcClient } from "./rpc.js";

const DIGEST = /^[0-9a-f]{32}$/;

/** What the tests need of a suite's context: its connection, its client and discovery. */
export interface CarryingInstance {
  readonly nc: NatsConnection;
  readonly rpc: RpcClient;
  discover(verb: "INFO"): Promise<Record<string, unknown>>;
}

/**
 * The contract an instance carries (services/README.md, "The contract it carries"), fetched and
 * decoded: a gateway built without the contract serves it from these bytes, so they must be the
 * contract the suite checks the instance against (`service`'s file). Shared by the users suite and
 * the generic one.
 */
export function carriedContractTests(ctx: CarryingInstance, service: DescService): void {
  describe("the contract it carries", () => {
    let carried: Uint8Array | undefined;
    const fetched = (): Uint8Array => carried ?? assert.fail("the descriptor set was not fetched");
    const contract = service.file;

    it("names it in its metadata: switchyard.descriptors.<digest>, the digest 32 lowercase hex digits", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      const digest = info.metadata["switchyard.contract_digest"];
      assert.match(digest ?? "(none)", DIGEST, "metadata switchyard.contract_digest");
      assert.equal(info.metadata["switchyard.descriptors"], `switchyard.descriptors.${digest}`, "metadata switchyard.descriptors");
    });

    it("answers on that subject with the descriptor set whose SHA-256 the digest begins", async () => {
      const info = await ctx.discover("INFO");
      assertInfo(info);
      const digest = info.metadata["switchyard.contract_digest"] ?? assert.fail("the metadata names no switchyard.contract_digest");
      const subject = info.metadata["switchyard.descriptors"] ?? assert.fail("the metadata names no switchyard.descriptors subject");
      const reply = await ctx.nc.request(subject, new Uint8Array(), { timeout: 5_000 }).catch((err: unknown) => {
        throw ctx.rpc.explain(`request on ${subject} failed`, err);
      });
      assert.equal(reply.headers?.has(Headers.serviceErrorCode) ?? false, false, "the reply is no error");
      assert.equal(descriptorDigest(reply.data), digest, "the digest is the first 32 hex digits of the SHA-256 of the bytes");
      carried = reply.data;
    });

    it("the set holds every file the contract imports, each once and before the files importing it, the contract last", () => {
      const set = decode(fetched());
      assert.deepEqual(orderProblems(set), []);
      assert.equal(set.file.at(-1)?.name, contract.proto.name, "the contract's file comes last");
      const names = new Set(set.file.map((f) => f.name));
      const missing: string[] = [];
      const visit = (file: typeof contract): void => {
        if (!names.has(file.proto.name)) missing.push(file.proto.name);
        file.dependencies.forEach(visit);
      };
      visit(contract);
      assert.deepEqual(missing, [], "every file the contract imports, transitively, is in the set");
    });

    it("its contract file is the suite's: the same RPCs, messages, fields, routes and field rules", () => {
      const set = decode(fetched());
      const file = set.file.find((f) => f.name === contract.proto.name) ?? assert.fail(`no ${contract.proto.name} in the set`);
      const registry = contractRegistry(contract);
      assert.deepEqual(comparable(file, registry), comparable(contract.proto, registry));
    });
  });
}

function decode(bytes: Uint8Array): FileDescriptorSet {
  try {
    return fromBinary(FileDescriptorSetSchema, bytes);
  } catch (err) {
    return assert.fail(`the reply is not a google.protobuf.FileDescriptorSet: ${(err as Error).message}`);
  }
}
