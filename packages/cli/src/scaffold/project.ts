/** What both languages' templates share: the files of a project, and what they are made from. */
import type { ContractService, ContractSource } from "./contract.js";

/** A file of the project: its path inside the folder, its text, and whether it is a program. */
export interface ProjectFile {
  path: string;
  text: string;
  executable?: boolean;
}

export interface ScaffoldInput {
  /** The service's name: its folder, package and micro service name (echo). */
  name: string;
  contract: ContractSource;
  /** The one service of the contract this project implements. */
  service: ContractService;
  /** Ruby: the Switchyard service gem's folder, for a `path:` Gemfile entry. */
  sdkPath: string | undefined;
}

/** The contract and what it imports, under proto/ with their import paths. */
export function protoFiles(contract: ContractSource): ProjectFile[] {
  return contract.files.map((file) => ({ path: `proto/${file.name}`, text: file.text }));
}

/** The folders of proto/ that hold imported files rather than the contract's own: left out of lint. */
export function importedFolders(contract: ContractSource): string[] {
  const own = contract.name.split("/")[0];
  const tops = new Set(contract.files.map((file) => file.name.split("/")[0]).filter((top) => top !== own && top !== undefined));
  return [...tops].sort().map((top) => `proto/${top}`);
}

/** The buf module of the project: proto/, linted as the repository lints its contracts, minus the imported files. */
export function bufYaml(contract: ContractSource): string {
  const ignore = importedFolders(contract);
  return [
    "# The project's contract, and the files it imports, copied in from where `switchyard new service` found them.",
    "version: v2",
    "modules:",
    "  - path: proto",
    "lint:",
    "  use:",
    "    - STANDARD",
    ...(ignore.length === 0 ? [] : ["  ignore:", ...ignore.map((folder) => `    - ${folder}`)]),
    "",
  ].join("\n");
}

/** "- Echo: `POST /v1/echo`" lines for a README. */
export function rpcList(service: ContractService, handlerName: (rpc: string) => string): string {
  return service.rpcs
    .map((rpc) => {
      const route = rpc.route === undefined ? "no HTTP route" : `\`${rpc.route}\``;
      const kind = rpc.kind === "unary" ? "" : ` (${rpc.kind.replace("_", " ")})`;
      return `- \`${rpc.name}\`${kind}: ${route}; handler \`${handlerName(rpc.name)}\``;
    })
    .join("\n");
}

/** The README's last section: checking the project with the conformance suite's generic groups. */
export function conformanceSection(name: string, service: ContractService, start: string): string[] {
  return [
    `Check it against the Switchyard conformance suite's generic groups (discovery, metadata, drain),`,
    `from the checkout's root:`,
    ``,
    "```sh",
    `buf build <this folder> --exclude-source-info -o /tmp/${name}.binpb`,
    `CONFORMANCE_SERVICE=${service.typeName} CONFORMANCE_DESCRIPTORS=/tmp/${name}.binpb \\`,
    `  node --import tsx packages/conformance/src/cli.ts 'cd <this folder> && exec ${start}'`,
    "```",
    ``,
  ];
}

/** The README's paragraph on how the instance shows itself on NATS, then the head of its table of files. */
export function instanceSection(name: string, service: ContractService, defaultDeployment: string): string[] {
  return [
    `The instance registers as \`${name}\` ($SRV.PING.${name}) in the deployment \`SWITCHYARD_DEPLOYMENT\``,
    `(default \`${defaultDeployment}\`), serves each RPC on \`${service.typeName}.<Rpc>\` in the queue group`,
    `\`${service.typeName.replaceAll(".", "-")}\`, carries its contract for the gateway, and on SIGTERM`,
    `answers the requests in flight, drains and exits 0.`,
    ``,
    `## Files`,
    ``,
    `| file | what |`,
    `| --- | --- |`,
    `| \`proto/\` | the contract and the files it imports (\`buf.yaml\`) |`,
  ];
}
