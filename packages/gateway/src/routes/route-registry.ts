import { createFileRegistry, fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Metadata, contractDigest } from "@switchyard/protocol";
import type { Instance } from "../discovery/service-directory.js";
import { incompatibilities } from "./contract-compat.js";
import { bindingsOf, routesOf, rpcRoutesOf, RouteError, type Route } from "./route.js";
import { RouteTable } from "./route-table.js";

/** Instances of one service that carry contracts the gateway cannot serve together. */
export interface ContractConflict {
  readonly service: string;
  readonly digests: readonly string[];
  readonly reason: string;
}

interface Carried {
  readonly digest: string;
  readonly services: readonly DescService[];
}

export interface RegistryEvents {
  onChange?: (routes: readonly Route[]) => void;
  onConflict?: (conflict: ContractConflict) => void;
  onError?: (message: string, err: unknown) => void;
}

/**
 * The routes the gateway serves: those of its own contracts, plus (when it accepts them) those of
 * contracts that live services carry, for as long as an instance carrying them is live.
 */
export class RouteRegistry {
  private current: RouteTable;
  private readonly fetched = new Map<string, Carried>();
  private readonly adopted = new Map<string, string>();
  private conflictList: ContractConflict[] = [];
  private readonly builtIn: Set<string>;

  /** `reserved`: paths the gateway serves itself; a route on one is refused, own or carried. */
  constructor(
    private readonly staticServices: readonly DescService[],
    private readonly events: RegistryEvents = {},
    private readonly reserved: (path: string) => boolean = () => false,
  ) {
    const own = bindingsOf(staticServices);
    this.current = new RouteTable(own.routes, reserved, own.refused, rpcRoutesOf(staticServices));
    this.builtIn = new Set(staticServices.map((s) => s.typeName));
  }

  get table(): RouteTable {
    return this.current;
  }

  get conflicts(): readonly ContractConflict[] {
    return this.conflictList;
  }

  /** Brings the carried contracts in line with the live instances. */
  async sync(instances: readonly Instance[], fetch: (subject: string) => Promise<Uint8Array>): Promise<void> {
    const live = new Map<string, string>();
    for (const instance of instances) {
      const digest = instance.metadata[Metadata.contractDigest];
      const subject = instance.metadata[Metadata.descriptors];
      if (digest !== undefined && subject !== undefined) live.set(digest, subject);
    }
    for (const [digest, subject] of live) {
      if (this.fetched.has(digest)) continue;
      try {
        this.fetched.set(digest, load(digest, await fetch(subject)));
      } catch (err) {
        this.events.onError?.(`cannot load the contract ${digest} from ${subject}`, err);
      }
    }

    const byService = new Map<string, { digest: string; service: DescService }[]>();
    for (const digest of live.keys()) {
      for (const service of this.fetched.get(digest)?.services ?? []) {
        const list = byService.get(service.typeName) ?? [];
        list.push({ digest, service });
        byService.set(service.typeName, list);
      }
    }

    const conflicts: ContractConflict[] = [];
    const adopted = new Map<string, DescService>();
    for (const [name, versions] of byService) {
      if (this.builtIn.has(name)) {
        const own = this.staticServices.find((s) => s.typeName === name)!;
        for (const v of versions) {
          const problems = incompatibilities(own, v.service);
          if (problems.length > 0) conflicts.push({ service: name, digests: [v.digest], reason: `differs from the gateway's own contract: ${problems[0]}` });
        }
        continue;
      }
      const previous = versions.find((v) => v.digest === this.adopted.get(name));
      const pick = previous ?? versions.reduce((a, b) => (b.service.methods.length > a.service.methods.length ? b : a));
      for (const v of versions) {
        if (v === pick) continue;
        const problems = incompatibilities(pick.service, v.service);
        if (problems.length > 0) conflicts.push({ service: name, digests: [pick.digest, v.digest], reason: problems[0]! });
      }
      adopted.set(name, pick.service);
      this.adopted.set(name, pick.digest);
    }
    for (const name of [...this.adopted.keys()]) if (!adopted.has(name)) this.adopted.delete(name);

    const table = this.build(adopted, conflicts);
    for (const c of conflicts) {
      if (!this.conflictList.some((old) => old.service === c.service && old.reason === c.reason)) this.events.onConflict?.(c);
    }
    this.conflictList = conflicts;
    if (signature(table) !== signature(this.current)) {
      this.current = table;
      this.events.onChange?.(table.routes);
    }
  }

  /** The table with every adopted service whose routes fit beside the others. */
  private build(adopted: Map<string, DescService>, conflicts: ContractConflict[]): RouteTable {
    const accepted: DescService[] = [...this.staticServices];
    for (const [name, service] of adopted) {
      try {
        new RouteTable(routesOf([...accepted, service]), this.reserved);
        accepted.push(service);
      } catch (err) {
        if (!(err instanceof RouteError)) throw err;
        conflicts.push({ service: name, digests: [this.adopted.get(name)!], reason: err.message });
      }
    }
    const { routes, refused } = bindingsOf(accepted);
    return new RouteTable(routes, this.reserved, refused, rpcRoutesOf(accepted));
  }
}

function load(digest: string, bytes: Uint8Array): Carried {
  const actual = contractDigest(bytes);
  if (actual !== digest) throw new Error(`descriptor set digest is ${actual}, announced ${digest}`);
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const registry = createFileRegistry(set);
  const main = set.file.at(-1);
  const file = main === undefined ? undefined : registry.getFile(main.name);
  if (file === undefined) throw new Error("empty descriptor set");
  return { digest, services: file.services };
}

function signature(table: RouteTable): string {
  return [
    ...table.routes.map((r) => `${r.verb} ${r.template.source} ${r.subject}`),
    ...table.refused.map((r) => `refused ${r.verb} ${r.path} ${r.subject}`),
    ...table.rpcs.map((r) => `rpc ${r.template.source}`),
  ].join("\n");
}
