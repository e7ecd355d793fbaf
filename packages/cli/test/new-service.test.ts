// `switchyard new service`: the refusals, then a TypeScript and a Ruby project made from
// fixtures/echo/v1/echo.proto, each generated, tested with its own test, checked by the conformance
// suite's generic groups (discovery, metadata, drain) and called through a gateway that serves the
// contract the instance carries. The projects are written under test/output/ (gitignored), inside
// the repository so that @switchyard/service and the Ruby SDK resolve to this checkout.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeOutput, REPO_ROOT, startTarget } from "@switchyard/testing";
import { cli, startStack } from "./stack.js";

const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));
const ECHO = fileURLToPath(new URL("./fixtures/echo/v1/echo.proto", import.meta.url));
const NOTHING = fileURLToPath(new URL("./fixtures/nothing/v1/nothing.proto", import.meta.url));
const CONFORMANCE = join(REPO_ROOT, "packages/conformance/src/cli.ts");
const RUBY_SDK = join(REPO_ROOT, "packages/service-rb");
const BIN = join(REPO_ROOT, "node_modules/.bin");

/** The tools of this checkout first (buf, protoc-gen-es, tsc), no Bundler settings of the caller's. */
function toolEnv(more: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${BIN}${delimiter}${process.env["PATH"] ?? ""}`, ...more };
  for (const name of ["BUNDLE_GEMFILE", "RUBYOPT", "NODE_TEST_CONTEXT", "NATS_URL"]) delete env[name];
  return env;
}

/** Runs a program to its end; a failure quotes its output. */
async function sh(file: string, args: readonly string[], cwd: string, env = toolEnv()): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return assert.fail(`${file} ${args.join(" ")} (in ${cwd}) failed with ${String(e.code)}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

async function newFolder(): Promise<string> {
  await mkdir(OUTPUT, { recursive: true });
  return join(OUTPUT, `scaffold-${randomBytes(4).toString("hex")}`);
}

async function listFiles(dir: string): Promise<string[]> {
  const paths = await readdir(dir, { recursive: true });
  return paths.filter((path) => statSync(join(dir, path)).isFile()).sort();
}

/** The conformance suite's generic groups against `command`, as the suite's own command line; its TAP report. */
async function conformance(command: string, descriptors: string): Promise<void> {
  const env = toolEnv({ CONFORMANCE_SERVICE: "echo.v1.EchoService", CONFORMANCE_DESCRIPTORS: descriptors, CONFORMANCE_NAME: "echo" });
  const args = ["--import", "tsx", "--test-reporter=tap", CONFORMANCE, command];
  const { code, stdout } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 }).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (err: { code?: number; stdout?: string }) => ({ code: err.code ?? -1, stdout: err.stdout ?? "" }),
  );
  const report = stdout.slice(-6_000);
  for (const group of ["micro service discovery", "metadata", "drain"]) {
    assert.match(stdout, new RegExp(`^ {4}ok \\d+ - ${group}$`, "m"), `the group "${group}" passed\n${report}`);
  }
  assert.match(stdout, /^# fail 0$/m, report);
  assert.equal(code, 0, report);
}

/** Starts the instance next to a gateway that accepts carried contracts, and calls both RPCs over HTTP. */
async function assertUnimplementedThroughGateway(command: string, cwd: string): Promise<void> {
  const stack = await startStack({ ACCEPT_SERVICE_CONTRACTS: "true" });
  const target = startTarget({ command, cwd, natsUrl: stack.ns.url });
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    // The route appears once the gateway has discovered the instance and fetched its contract.
    const deadline = Date.now() + 20_000;
    let reply = await call("POST", "/v1/echo", { message: "hello" });
    while (reply.status !== 501 && Date.now() < deadline && target.exit === undefined) {
      await sleep(200);
      reply = await call("POST", "/v1/echo", { message: "hello" });
    }
    assert.equal(reply.status, 501, `POST /v1/echo: ${JSON.stringify(reply.body)}\n${describeOutput(target.output())}`);
    assert.equal(reply.body["code"], "UNIMPLEMENTED");
    assert.match(String(reply.body["detail"]), /echo\.v1\.EchoService\.Echo is not implemented/);
    const get = await call("GET", "/v1/echoes/42");
    assert.deepEqual([get.status, get.body["code"]], [501, "UNIMPLEMENTED"], JSON.stringify(get.body));
  } finally {
    await target.terminate(10_000);
    await stack.close();
  }
}

// The output folder goes too once every project in it has (another run's may still be there).
after(() => rmdir(OUTPUT).catch(() => undefined));

describe("switchyard new service: refusals", () => {
  let dir: string;
  before(async () => {
    dir = await newFolder();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: [string, () => string[], RegExp][] = [
    ["a proto file that does not exist", () => ["new", "service", "echo", "--lang", "ts", "--proto", join(dir, "missing.proto"), "--dir", join(dir, "a")], /--proto .*missing\.proto: no such file/],
    ["a proto file without a service", () => ["new", "service", "nothing", "--lang", "ts", "--proto", NOTHING, "--dir", join(dir, "b")], /nothing\/v1\/nothing\.proto declares no service/],
    ["a language it does not make", () => ["new", "service", "echo", "--lang", "go", "--proto", ECHO, "--dir", join(dir, "c")], /--lang go: not a language .*use ts or rb/],
    ["a name that is not one", () => ["new", "service", "Echo_Service", "--lang", "ts", "--proto", ECHO, "--dir", join(dir, "d")], /"Echo_Service" is not a service name/],
    ["--sdk-path for TypeScript", () => ["new", "service", "echo", "--lang", "ts", "--proto", ECHO, "--dir", join(dir, "e"), "--sdk-path", RUBY_SDK], /--sdk-path is for --lang rb/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}: exit 2, one line, nothing written`, async () => {
      const argv = args();
      const target = argv[argv.indexOf("--dir") + 1]!;
      const outcome = await cli(argv);
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(outcome.stderr, message);
      assert.match(outcome.stderr, /^switchyard: [^\n]*\n$/);
      assert.equal(existsSync(target), false, "nothing written");
    });
  }

  it("refuses a folder that is not empty, and leaves it as it was", async () => {
    const taken = join(dir, "taken");
    await mkdir(taken, { recursive: true });
    await writeFile(join(taken, "notes.txt"), "mine\n");
    const outcome = await cli(["new", "service", "echo", "--lang", "ts", "--proto", ECHO, "--dir", taken]);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stderr, /taken is not empty \(1 entries\)/);
    assert.deepEqual(await readdir(taken), ["notes.txt"]);
  });

  it("refuses a proto without --lang, as a usage error", async () => {
    const outcome = await cli(["new", "service", "echo", "--proto", ECHO]);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /required option '--lang <lang>' not specified/);
  });
});

describe("switchyard new service --lang ts", { timeout: 120_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await newFolder();
    const outcome = await cli(["new", "service", "echo", "--lang", "ts", "--proto", ECHO, "--dir", dir]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /echo\.v1\.EchoService in TypeScript, 2 RPCs answering UNIMPLEMENTED/);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("writes the project: the contract and its imports, handlers, a test, a Dockerfile, a README", async () => {
    assert.deepEqual(await listFiles(dir), [
      ".dockerignore",
      ".gitignore",
      "Dockerfile",
      "README.md",
      "buf.gen.yaml",
      "buf.yaml",
      "package.json",
      "proto/echo/v1/echo.proto",
      "proto/google/api/annotations.proto",
      "proto/google/api/http.proto",
      "src/main.ts",
      "src/service.ts",
      "test/service.test.ts",
      "tsconfig.json",
    ]);
    assert.equal(await readFile(join(dir, "proto/echo/v1/echo.proto"), "utf8"), await readFile(ECHO, "utf8"));
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(pkg["dependencies"] ?? {}).sort(), ["@bufbuild/protobuf", "@switchyard/service", "tsx"]);
    assert.deepEqual(Object.keys(pkg["devDependencies"] ?? {}).sort(), ["@bufbuild/buf", "@bufbuild/protoc-gen-es", "@types/node", "typescript"]);
    const service = await readFile(join(dir, "src/service.ts"), "utf8");
    assert.match(service, /async echo\(_request, _context\) \{\n {4}throw unimplemented\("Echo"\);/);
    assert.match(service, /async getEcho\(_request, _context\) \{\n {4}throw unimplemented\("GetEcho"\);/);
  });

  it("generates its code, lints, typechecks and passes its own test", async () => {
    await sh("buf", ["generate"], dir);
    assert.ok(existsSync(join(dir, "src/gen/echo/v1/echo_pb.ts")), "buf generate wrote src/gen/echo/v1/echo_pb.ts");
    await sh("buf", ["lint"], dir);
    await sh("tsc", ["-p", "tsconfig.json"], dir);
    const tests = await sh(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "test/service.test.ts"], dir);
    assert.match(tests, /^# pass 2$/m, tests);
  });

  it("passes the conformance suite's generic groups: discovery, metadata, drain", async () => {
    const descriptors = join(dir, "contract.binpb");
    await sh("buf", ["build", "--exclude-source-info", "-o", descriptors], dir);
    await conformance(`cd '${dir}' && exec node --import tsx src/main.ts`, descriptors);
  });

  it("answers UNIMPLEMENTED through a gateway serving the contract it carries: 501", async () => {
    await assertUnimplementedThroughGateway("exec node --import tsx src/main.ts", dir);
  });
});

const hasBundler = await promisify(execFile)("bundle", ["--version"]).then(
  () => true,
  () => false,
);

describe("switchyard new service --lang rb", { timeout: 180_000, skip: hasBundler ? false : "no bundle on PATH" }, () => {
  let dir: string;
  before(async () => {
    dir = await newFolder();
    const outcome = await cli(["new", "service", "echo", "--lang", "rb", "--proto", ECHO, "--dir", dir, "--sdk-path", RUBY_SDK]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /echo\.v1\.EchoService in Ruby, 2 RPCs answering UNIMPLEMENTED/);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("writes the project: the contract and its imports, bin, lib, a test, a Dockerfile, a README", async () => {
    assert.deepEqual(await listFiles(dir), [
      ".dockerignore",
      ".gitignore",
      "Dockerfile",
      "Gemfile",
      "README.md",
      "Rakefile",
      "bin/echo",
      "buf.yaml",
      "lib/echo.rb",
      "lib/echo/app.rb",
      "lib/echo/service.rb",
      "proto/echo/v1/echo.proto",
      "proto/google/api/annotations.proto",
      "proto/google/api/http.proto",
      "test/service_test.rb",
    ]);
    const gemfile = await readFile(join(dir, "Gemfile"), "utf8");
    assert.match(gemfile, new RegExp(`^gem "switchyard-service", path: "${RUBY_SDK}"$`, "m"));
    const service = await readFile(join(dir, "lib/echo/service.rb"), "utf8");
    assert.match(service, /def echo\(_request, _call\)\n {6}raise unimplemented\("Echo"\)/);
    assert.match(service, /def get_echo\(_request, _call\)\n {6}raise unimplemented\("GetEcho"\)/);
    assert.match(service, /Switchyard::ServiceError\.new\(:UNIMPLEMENTED, /);
  });

  it("is Ruby that parses (ruby -c)", async () => {
    for (const file of ["bin/echo", "lib/echo.rb", "lib/echo/app.rb", "lib/echo/service.rb", "test/service_test.rb", "Rakefile", "Gemfile"]) {
      assert.match(await sh("ruby", ["-c", file], dir), /Syntax OK/, file);
    }
  });

  it("installs against this checkout's SDK, generates its code and passes its own test", async () => {
    await sh("bundle", ["install", "--local"], dir);
    await sh("bundle", ["exec", "rake", "gen"], dir);
    assert.ok(existsSync(join(dir, "lib/gen/echo/v1/echo_pb.rb")), "rake gen wrote lib/gen/echo/v1/echo_pb.rb");
    const tests = await sh("bundle", ["exec", "rake", "test"], dir);
    assert.match(tests, /3 runs, \d+ assertions, 0 failures, 0 errors, 0 skips/, tests);
  });

  it("passes the conformance suite's generic groups: discovery, metadata, drain", async () => {
    const descriptors = join(dir, "contract.binpb");
    await sh("buf", ["build", "--exclude-source-info", "-o", descriptors], dir);
    await conformance(`cd '${dir}' && exec bundle exec bin/echo`, descriptors);
  });

  it("answers UNIMPLEMENTED through a gateway serving the contract it carries: 501", async () => {
    await assertUnimplementedThroughGateway("exec bundle exec bin/echo", dir);
  });
});
