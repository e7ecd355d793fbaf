import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RunningService } from "@switchyard/service";
import { freePort } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import { cli, startStack, subprocess, type Stack } from "./stack.js";

const quiet = { info: () => undefined, error: () => undefined };

describe("switchyard CLI against a real gateway", () => {
  let stack: Stack;
  let users: RunningService;

  before(async () => {
    stack = await startStack();
    users = await startUsersService(stack.nc, quiet);
    await stack.app.directory.refresh();
  });
  after(async () => {
    await users.stop();
    await stack.close();
  });

  describe("routes", () => {
    it("prints a table of method, path, RPC and subject", async () => {
      const out = await cli(["routes", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^METHOD\s+PATH\s+RPC\s+SUBJECT$/);
      assert.ok(
        lines.some((l) => /^POST\s+\/users\s+users\.v1\.UserService\.CreateUser\s+users\.v1\.UserService\.CreateUser$/.test(l)),
        out.stdout,
      );
      assert.equal(lines.length - 1, stack.app.routeTable.routes.length);
      assert.ok(lines.every((l) => l === l.trimEnd()), "no trailing spaces");
    });

    it("--json prints the admin reply", async () => {
      const out = await cli(["routes", "--json"], { SWITCHYARD_GATEWAY: stack.url });
      assert.equal(out.code, 0, out.stderr);
      const { routes } = JSON.parse(out.stdout) as { routes: { rpc: string; path: string }[] };
      assert.equal(routes.find((r) => r.rpc === "users.v1.UserService.CreateUser")?.path, "/users");
    });

    it("reads the admin endpoints from --admin, and says where to look when they are not there", async () => {
      const ok = await cli(["routes", "--gateway", `http://127.0.0.1:${await freePort()}`, "--admin", stack.url]);
      assert.equal(ok.code, 0, ok.stderr);
      const missing = await cli(["routes", "--admin", `${stack.url}/nowhere`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /404 ROUTE_NOT_FOUND.*--admin/);
    });
  });

  describe("services", () => {
    it("shows each live instance with its deployment, language, id and counters", async () => {
      await cli(["call", "GET", "/", "--gateway", stack.url]);
      await stack.app.directory.refresh();
      const out = await cli(["services", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^METHOD\s+PATH\s+SERVICE\s+DEPLOYMENT\s+LANGUAGE\s+VERSION\s+INSTANCE\s+NATS NODE\s+REQUESTS\s+ERRORS\s+AVG MS$/);
      const ping = lines.find((l) => /^GET\s+\/\s/.test(l));
      assert.ok(ping, out.stdout);
      const cells = ping.split(/\s+/);
      assert.deepEqual(cells.slice(2, 8), ["users", "users-ts", "typescript", "1.0.0", users.id, stack.nc.info?.server_name], "users-ts is the SDK's default deployment");
      assert.ok(Number(cells[8]) >= 1, ping);
      assert.equal(cells[9], "0");
      assert.match(cells[10]!, /^\d+\.\d\d$/);
    });

    it("then one row per route and deployment, with its traffic over the last minute", async () => {
      await cli(["call", "GET", "/", "--gateway", stack.url]);
      const out = await cli(["services", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      const [, deployments = ""] = out.stdout.split("\n\n");
      const lines = deployments.trimEnd().split("\n");
      assert.match(lines[0]!, /^METHOD\s+PATH\s+DEPLOYMENT\s+INSTANCES\s+WEIGHT\s+SHARE\s+RPS\s+ERR%\s+P50 MS\s+P99 MS\s+FALLBACKS$/);
      const ping = lines.find((l) => /^GET\s+\/\s/.test(l));
      assert.ok(ping, out.stdout);
      // No policy: no weight; the one deployment answered every request of the last minute.
      assert.match(ping, /^GET\s+\/\s+users-ts\s+1\s+-\s+100\.0%\s+\d+\.\d\d\s+0\.0\s+\d+\.\d\d\s+\d+\.\d\d\s+0$/);
      const routes = stack.app.routeTable.routes.filter((r) => r.subject.startsWith("users.v1."));
      assert.equal(lines.length - 1, routes.length, "every users route has its one deployment; inventory has none");
    });

    it("shows a 'no instance' row for a route nobody serves", async () => {
      const unserved = stack.app.routeTable.routes.filter((r) => r.subject.startsWith("inventory.v1."));
      assert.ok(unserved.length > 0, "the contracts have inventory routes");
      const out = await cli(["services", "--gateway", stack.url]);
      const lines = out.stdout.split("\n");
      for (const route of unserved) {
        const line = lines.find((l) => l.startsWith(`${route.verb.padEnd(6)}  ${route.template.source} `));
        assert.ok(line, `${route.verb} ${route.template.source} in\n${out.stdout}`);
        assert.match(line, /\s-\s+-\s+-\s+-\s+no instance\s+-\s+-\s+-\s+-$/);
      }
    });

    it("--json prints the admin reply as the gateway sent it", async () => {
      const out = await cli(["services", "--json", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      const reply = JSON.parse(out.stdout) as {
        routes: { path: string; policyRevision: unknown; instances: { id: string; uptimeSeconds: unknown }[]; deployments: { deployment: string }[] }[];
        conflicts: unknown[];
      };
      assert.deepEqual(reply.conflicts, [], "fields no table shows are there too");
      const ping = reply.routes.find((r) => r.path === "/");
      assert.equal(ping?.instances[0]?.id, users.id);
      assert.equal(typeof ping?.instances[0]?.uptimeSeconds, "number");
      assert.equal(ping?.policyRevision, null);
      assert.equal(ping?.deployments[0]?.deployment, "users-ts");
    });
  });

  describe("call", () => {
    it("POST with a JSON body: 201/200 on stderr, the reply pretty on stdout, exit 0", async () => {
      const out = await cli(["call", "POST", "/users", '{"firstName":"Jane","lastName":"Doe"}', "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /^2\d\d \w/);
      const reply = JSON.parse(out.stdout) as { id: string; success: boolean };
      assert.ok(reply.id.length > 0);
      assert.equal(reply.success, true);
      assert.match(out.stdout, /\n {2}"id": /, "pretty-printed");

      const get = await cli(["call", "get", `/users/${reply.id}`, "-H", "x-request-id: cli-test-1", "--gateway", stack.url]);
      assert.equal(get.code, 0, get.stderr);
      assert.match(get.stdout, /"firstName": "Jane"/);
    });

    it("a problem reply: status on stderr, the problem on stdout, exit 1", async () => {
      const out = await cli(["call", "GET", "/users/nope", "-H", "x-request-id: cli-test-2", "--gateway", stack.url]);
      assert.equal(out.code, 1);
      assert.match(out.stderr, /^404 Not Found\n$/);
      const problem = JSON.parse(out.stdout) as { code: string; requestId: string };
      assert.equal(problem.code, "NOT_FOUND");
      assert.equal(problem.requestId, "cli-test-2", "the -H header was sent");
    });

    it("a body that is not JSON is refused before sending: exit 2", async () => {
      const out = await cli(["call", "POST", "/users", "{firstName: Jane}", "--gateway", stack.url]);
      assert.equal(out.code, 2);
      assert.equal(out.stdout, "");
      assert.match(out.stderr, /^switchyard: the body is not valid JSON: /);
    });

    it("bad usage is exit 2: a path without /, a malformed header", async () => {
      assert.equal((await cli(["call", "GET", "users", "--gateway", stack.url])).code, 2);
      assert.equal((await cli(["call", "GET", "/", "-H", "nocolon", "--gateway", stack.url])).code, 2);
    });
  });

  describe("errors", () => {
    it("an unreachable gateway is one clear line and exit 1", async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      for (const args of [["routes"], ["services"], ["call", "GET", "/"], ["traffic", "show"], ["shadow", "report"], ["top", "--once"]]) {
        const out = await cli([...args, "--gateway", url]);
        assert.equal(out.code, 1);
        assert.equal(out.stdout, "");
        assert.equal(out.stderr, `switchyard: cannot reach the gateway at ${url}: connect ECONNREFUSED; is it running? (make up)\n`);
      }
    });

    it("an unknown command or option prints commander's usage, exit 2", async () => {
      const command = await cli(["frobnicate"]);
      assert.equal(command.code, 2);
      assert.match(command.stderr, /unknown command 'frobnicate'[\s\S]*Usage: switchyard/);
      const option = await cli(["routes", "--nope"]);
      assert.equal(option.code, 2);
      assert.match(option.stderr, /unknown option '--nope'/);
      assert.equal((await cli(["--help"])).code, 0);
      const noSubcommand = await cli(["traffic"]);
      assert.equal(noSubcommand.code, 2);
      assert.match(noSubcommand.stderr, /Usage: switchyard traffic[\s\S]*weights/);
    });
  });

  describe("as a real process", () => {
    it("routes: the table on stdout, exit 0", async () => {
      const out = await subprocess(["routes", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /POST\s+\/users\s+users\.v1\.UserService\.CreateUser/);
    });

    it("exit codes: 1 for a non-2xx reply and an unreachable gateway, 2 for bad JSON and unknown commands", async () => {
      const notFound = await subprocess(["call", "GET", "/users/nope", "--gateway", stack.url]);
      assert.equal(notFound.code, 1);
      assert.match(notFound.stdout, /"code": "NOT_FOUND"/);
      const down = await subprocess(["routes", "--gateway", `http://127.0.0.1:${await freePort()}`]);
      assert.equal(down.code, 1);
      assert.match(down.stderr, /^switchyard: cannot reach the gateway at .*: connect ECONNREFUSED; is it running\? \(make up\)\n$/);
      assert.equal((await subprocess(["call", "POST", "/users", "{", "--gateway", stack.url])).code, 2);
      assert.equal((await subprocess(["nope"])).code, 2);
    });
  });
});
