// The SDK as an outside service gets it: built and packed, installed into an empty folder outside
// the repository with the npm registry's packages, code generated there for a contract of its own
// with buf, a service compiled with tsc and run with plain node, served by a real gateway, and
// checked by the conformance suite's generic groups. Slow (an npm install): about a minute.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { describeOutput, freePort, REPO_ROOT, startNatsServer, startTarget, type NatsServer, type Target } from "@switchyard/testing";

const run = promisify(execFile);
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const CONTRACT = `syntax = "proto3";

package echo.v1;

import "google/api/annotations.proto";

service EchoService {
  rpc Echo(EchoRequest) returns (EchoResponse) {
    option (google.api.http) = {
      post: "/echo"
      body: "*"
    };
  }
}

message EchoRequest {
  string text = 1;
}

message EchoResponse {
  string text = 1;
  string instance = 2;
}
`;
const SERVICE = `import { runService, serve, ServiceError, type HandlerContext } from "@switchyard/service";
import { EchoService, type EchoRequest } from "./gen/echo/v1/echo_pb.js";

function echo(request: EchoRequest, context: HandlerContext) {
  if (request.text === "") throw new ServiceError("INVALID_ARGUMENT", "text is required", "text");
  return { text: \`\${context.rpc.name}: \${request.text}\`, instance: context.instanceId };
}

await runService("echo", (nc) => serve({ nc, service: EchoService, name: "echo", version: "1.0.0", implementation: { echo } }));
`;

/** The version this repository installed, so the outside project gets what the SDK is tested with. */
function installedVersion(name: string): string {
  return JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

/** This process's environment without what `npm test` sets for its own run (workspace, prefix). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))), ...extra };
}

async function sh(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${cwd}\n${stdout ?? ""}\n${stderr ?? ""}`);
  }
}

describe("the SDK installed outside the repository", { timeout: 600_000 }, () => {
  let root: string;
  let app: string;
  let ns: NatsServer;
  const processes: Target[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "switchyard-sdk-"));
    app = join(root, "app");
    mkdirSync(join(app, "proto", "echo", "v1"), { recursive: true });
    mkdirSync(join(app, "src"));

    await sh(process.execPath, [join(PACKAGE_DIR, "scripts", "build-package.mjs"), join(root, "sdk")], REPO_ROOT);
    await sh("npm", ["pack", join(root, "sdk"), "--pack-destination", root, "--loglevel=error"], root);
    const tarball = readdirSync(root).find((name) => name.endsWith(".tgz")) ?? assert.fail("npm pack made no tarball");

    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "echo-service", private: true, type: "module" }));
    await sh(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        join(root, tarball),
        ...["@bufbuild/protobuf", "@bufbuild/buf", "@bufbuild/protoc-gen-es", "google-proto-files", "@types/node"].map((name) => `${name}@${installedVersion(name)}`),
      ],
      app,
    );

    writeFileSync(join(app, "proto", "echo", "v1", "echo.proto"), CONTRACT);
    writeFileSync(
      join(app, "buf.yaml"),
      "version: v2\nmodules:\n  - path: proto\n  - path: node_modules/google-proto-files\n    includes:\n      - node_modules/google-proto-files/google/api\n",
    );
    writeFileSync(
      join(app, "buf.gen.yaml"),
      "version: v2\ninputs:\n  - directory: proto\nplugins:\n  - local: protoc-gen-es\n    out: src/gen\n    include_imports: true\n    opt:\n      - target=ts\n      - import_extension=js\n",
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "dist", rootDir: "src", types: ["node"] },
        include: ["src"],
      }),
    );
    writeFileSync(join(app, "src", "main.ts"), SERVICE);
    const bin = join(app, "node_modules", ".bin");
    await sh(join(bin, "buf"), ["generate"], app, cleanEnv({ PATH: `${bin}:${process.env["PATH"] ?? ""}` }));
    // The repository's TypeScript compiles it: the installed declarations must type the service.
    await sh(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", app], app);

    ns = await startNatsServer({ jetstream: true });
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await ns?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("runs a service the gateway serves from the contract it carries", async () => {
    const service = startTarget({ command: "exec node dist/main.js", cwd: app, natsUrl: ns.url, env: { SWITCHYARD_DEPLOYMENT: "echo-outside" } });
    processes.push(service);
    const port = await freePort();
    const gateway = startTarget({
      command: "exec node --import tsx packages/gateway/src/main.ts",
      cwd: REPO_ROOT,
      natsUrl: ns.url,
      env: {
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        DISCOVERY_INTERVAL_MS: "300",
        READY_NEEDS_INSTANCES: "false",
        ACCEPT_SERVICE_CONTRACTS: "true",
      },
    });
    processes.push(gateway);

    const post = (text: string) =>
      fetch(`http://127.0.0.1:${port}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
    const deadline = Date.now() + 60_000;
    let res: Response | undefined;
    for (;;) {
      res = await post("hi").catch(() => undefined);
      if (res?.status === 200) break;
      for (const p of [service, gateway]) {
        if (p.exit !== undefined) assert.fail(`${p.command} exited\n${describeOutput(p.output())}`);
      }
      if (Date.now() > deadline) {
        assert.fail(`POST /echo never answered 200 (last: ${res?.status} ${await res?.text()})\n${describeOutput(service.output())}\n${describeOutput(gateway.output())}`);
      }
      await sleep(200);
    }
    const body = (await res.json()) as { text: string; instance: string };
    assert.equal(body.text, "Echo: hi");
    assert.match(body.instance, /^\w{10,}$/);

    const refused = await post("");
    assert.equal(refused.status, 400);
    const problem = (await refused.json()) as { code: string; field: string; detail: string };
    assert.deepEqual([problem.code, problem.field, problem.detail], ["INVALID_ARGUMENT", "text", "text is required"]);
  });

  it("passes the conformance suite's generic checks", async () => {
    const descriptors = join(root, "echo.binpb");
    await sh(join(app, "node_modules", ".bin", "buf"), ["build", "proto", "--exclude-source-info", "-o", descriptors], app);
    await sh(
      process.execPath,
      ["--import", "tsx", "packages/conformance/src/cli.ts", `cd ${JSON.stringify(app)} && exec node dist/main.js`],
      REPO_ROOT,
      cleanEnv({ CONFORMANCE_SERVICE: "echo.v1.EchoService", CONFORMANCE_DESCRIPTORS: descriptors, CONFORMANCE_NAME: "echo" }),
    );
  });
});
