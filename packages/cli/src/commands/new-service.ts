/**
 * `switchyard new service <name> --lang ts|rb --proto <file>`: a runnable service for one contract
 * service, every handler answering UNIMPLEMENTED, with a test, a Dockerfile and a README.
 */
import { resolve } from "node:path";
import { CliError } from "../http.js";
import type { Io } from "../io.js";
import { readContract, type ContractService, type ContractSource } from "../scaffold/contract.js";
import { checkServiceName } from "../scaffold/names.js";
import { rubyProject } from "../scaffold/ruby.js";
import { typescriptProject } from "../scaffold/typescript.js";
import { checkTarget, writeProject } from "../scaffold/write-project.js";

export const LANGUAGES = ["ts", "rb"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface NewServiceOptions {
  name: string;
  lang: string;
  proto: string;
  /** The contract service to implement, when the file declares several: its name or full name. */
  service: string | undefined;
  /** The folder to write (default: ./<name>). */
  dir: string | undefined;
  /** Ruby: the switchyard-service gem's folder, written as a `path:` entry in the Gemfile. */
  sdkPath: string | undefined;
  cwd: string;
}

export async function newServiceCommand(options: NewServiceOptions, io: Io): Promise<number> {
  const name = checkServiceName(options.name);
  const lang = checkLanguage(options.lang);
  if (options.sdkPath !== undefined && lang !== "rb") throw new CliError("--sdk-path is for --lang rb (a TypeScript project finds @switchyard/service through npm)", 2);
  const dir = resolve(options.cwd, options.dir ?? name);
  await checkTarget(dir);
  const contract = await readContract(resolve(options.cwd, options.proto), options.proto);
  const service = pickService(contract, options.service);
  const sdkPath = options.sdkPath === undefined ? undefined : resolve(options.cwd, options.sdkPath);

  const input = { name, contract, service, sdkPath };
  const files = lang === "ts" ? typescriptProject(input) : rubyProject(input);
  await writeProject(dir, files);

  io.stdout(`wrote ${dir}: ${service.typeName} in ${lang === "ts" ? "TypeScript" : "Ruby"}, ${service.rpcs.length} RPCs answering UNIMPLEMENTED\n`);
  const steps =
    lang === "ts"
      ? ["npm install", "npm run gen", "npm test", "NATS_URL=nats://127.0.0.1:4222 npm start"]
      : ["bundle install", "bundle exec rake gen", "bundle exec rake test", `NATS_URL=nats://127.0.0.1:4222 bundle exec bin/${name}`];
  io.stdout(`next, in ${dir}:\n${steps.map((step) => `  ${step}\n`).join("")}`);
  return 0;
}

function checkLanguage(lang: string): Language {
  if (!(LANGUAGES as readonly string[]).includes(lang)) {
    throw new CliError(`--lang ${lang}: not a language a service can be made in; use ${LANGUAGES.join(" or ")}`, 2);
  }
  return lang as Language;
}

function pickService(contract: ContractSource, wanted: string | undefined): ContractService {
  const names = contract.services.map((s) => s.typeName).join(", ");
  if (wanted === undefined) {
    const [only, ...more] = contract.services;
    if (only !== undefined && more.length === 0) return only;
    throw new CliError(`${contract.name} declares ${contract.services.length} services (${names}): choose one with --service`, 2);
  }
  const found = contract.services.find((s) => s.typeName === wanted || s.name === wanted);
  if (found === undefined) throw new CliError(`--service ${wanted}: ${contract.name} declares no such service (it declares ${names})`, 2);
  return found;
}
