/**
 * A .proto file read the way the repository reads its contracts: compiled by buf (the
 * `@bufbuild/buf` binary in node_modules) against the same imports as proto/ (google/api from
 * google-proto-files, buf/validate from .tools/protos), then its services and RPCs taken from the
 * descriptor set buf writes as JSON. No .proto is parsed here.
 */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CliError } from "../http.js";

export type RpcKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

export interface ContractRpc {
  /** As in the contract: GetEcho. */
  name: string;
  kind: RpcKind;
  /** Full names, without the leading dot: echo.v1.GetEchoRequest. */
  input: string;
  output: string;
  /** `GET /v1/echoes/{id}`, when the RPC has a google.api.http rule. */
  route: string | undefined;
}

export interface ContractService {
  /** echo.v1.EchoService */
  typeName: string;
  /** EchoService */
  name: string;
  rpcs: ContractRpc[];
}

export interface ContractSource {
  /** The contract's import path, e.g. echo/v1/echo.proto. */
  name: string;
  package: string;
  services: ContractService[];
  /** The contract and every file it imports but the well-known types (buf and protoc have those): import path and text. */
  files: { name: string; text: string }[];
}

/** What buf's JSON image holds of a file, as far as it is read here. */
interface ImageFile {
  name: string;
  package?: string;
  service?: {
    name: string;
    method?: {
      name: string;
      inputType: string;
      outputType: string;
      clientStreaming?: boolean;
      serverStreaming?: boolean;
      options?: { "[google.api.http]"?: Record<string, unknown> };
    }[];
  }[];
}

const require = createRequire(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const HTTP_VERBS = ["get", "put", "post", "delete", "patch"] as const;

/**
 * Compiles `protoPath` and its imports; refuses a missing file, one buf cannot compile, or one
 * without a service. `shown`: the path as the user typed it, for messages.
 */
export async function readContract(protoPath: string, shown = protoPath): Promise<ContractSource> {
  const path = resolve(protoPath);
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`--proto ${shown}: no such file`, 2);
  if (!path.endsWith(".proto")) throw new CliError(`--proto ${shown}: not a .proto file`, 2);

  // First with the file's own folder as the root of its imports, to learn its package; then, when
  // the folders above it spell the package (proto/echo/v1/echo.proto for echo.v1), from there.
  let root = dirname(path);
  let image = await build(root, path, shown);
  const pkg = contractOf(image, root, path).package ?? "";
  const packageDir = pkg === "" ? "" : pkg.split(".").join(sep);
  if (packageDir !== "" && (root === packageDir || root.endsWith(sep + packageDir))) {
    root = resolve(root.slice(0, root.length - packageDir.length) || sep);
    image = await build(root, path, shown);
  }

  const contract = contractOf(image, root, path);
  const services = (contract.service ?? []).map((service) => ({
    typeName: pkg === "" ? service.name : `${pkg}.${service.name}`,
    name: service.name,
    rpcs: (service.method ?? []).map(
      (method): ContractRpc => ({
        name: method.name,
        kind: kindOf(method.clientStreaming === true, method.serverStreaming === true),
        input: method.inputType.replace(/^\./, ""),
        output: method.outputType.replace(/^\./, ""),
        route: routeOf(method.options?.["[google.api.http]"]),
      }),
    ),
  }));
  if (services.length === 0) throw new CliError(`--proto ${shown}: ${contract.name} declares no service; a service needs one`, 2);
  if (pkg === "") throw new CliError(`--proto ${shown}: ${contract.name} declares no package; subjects and queue groups are named after it`, 2);

  const roots = importRoots(root);
  const files = await Promise.all(
    image.file
      .filter((file) => !file.name.startsWith("google/protobuf/"))
      .map(async (file) => {
        const from = roots.map((r) => join(r.dir, file.name)).find((candidate) => existsSync(candidate));
        if (from === undefined) throw new CliError(`cannot find the source of ${file.name}, which ${contract.name} imports`);
        return { name: file.name, text: await readFile(from, "utf8") };
      }),
  );
  return { name: contract.name, package: pkg, services, files };
}

/** Where imports are found: the contract's root first, then what the repository's buf.yaml adds. */
function importRoots(root: string): { link: string; dir: string; includes?: string }[] {
  const roots: { link: string; dir: string; includes?: string }[] = [{ link: "contract", dir: root }];
  const googleProtoFiles = dirname(require.resolve("google-proto-files/package.json"));
  roots.push({ link: "googleapis", dir: googleProtoFiles, includes: "googleapis/google/api" });
  const validate = join(REPO_ROOT, ".tools/protos");
  if (existsSync(validate)) roots.push({ link: "protovalidate", dir: validate });
  return roots;
}

/** `buf build` of one file in a workspace of links to its import roots, as a JSON image (imports included, no source info). */
async function build(root: string, path: string, shown: string): Promise<{ file: ImageFile[] }> {
  const buf = join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");
  const work = await mkdtemp(join(tmpdir(), "switchyard-proto-"));
  try {
    const roots = importRoots(root);
    const modules: string[] = [];
    for (const r of roots) {
      await symlink(r.dir, join(work, r.link), "dir");
      modules.push(`  - path: ${r.link}`, ...(r.includes === undefined ? [] : ["    includes:", `      - ${r.includes}`]));
    }
    await writeFile(join(work, "buf.yaml"), ["version: v2", "modules:", ...modules, ""].join("\n"));
    const target = join("contract", relative(root, path));
    const out = join(work, "image.json");
    try {
      await promisify(execFile)(buf, ["build", "--path", target, "--exclude-source-info", "-o", out], { cwd: work });
    } catch (err) {
      const e = err as { stderr?: string; code?: unknown };
      if (typeof e.code === "string") throw new CliError(`cannot run buf (${buf}): ${e.code}; run npm install at the repository root`);
      const why = (e.stderr ?? "").trim().split("\n").map((line) => line.replaceAll(`contract${sep}`, "")).join("; ");
      const hint = why.includes("buf/validate") ? " (buf/validate comes from .tools/protos: run npm run gen once at the repository root)" : "";
      throw new CliError(`--proto ${shown} does not compile: ${why}${hint}`, 2);
    }
    return JSON.parse(await readFile(out, "utf8")) as { file: ImageFile[] };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function kindOf(clientStreaming: boolean, serverStreaming: boolean): RpcKind {
  if (clientStreaming) return serverStreaming ? "bidi_streaming" : "client_streaming";
  return serverStreaming ? "server_streaming" : "unary";
}

function routeOf(rule: Record<string, unknown> | undefined): string | undefined {
  if (rule === undefined) return undefined;
  for (const verb of HTTP_VERBS) {
    if (typeof rule[verb] === "string") return `${verb.toUpperCase()} ${rule[verb]}`;
  }
  const custom = rule["custom"] as { kind?: string; path?: string } | undefined;
  return custom?.kind !== undefined && custom.path !== undefined ? `${custom.kind} ${custom.path}` : undefined;
}

/** The file itself in the image: the one named by its path from the root (the others are its imports). */
function contractOf(image: { file: ImageFile[] }, root: string, path: string): ImageFile {
  const name = relative(root, path).split(sep).join("/");
  const file = image.file.find((f) => f.name === name);
  if (file === undefined) throw new CliError(`buf compiled ${name} but the image does not hold it`);
  return file;
}
