import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { run } from "../src/cli.js";
import { cli, startStack, subprocess, type Stack } from "./stack.js";

const quiet = { info: () => undefined, error: () => undefined };
const SERVICE = "users.v1.UserService";

interface PolicyReply {
  service: string;
  revision: number | null;
  policy: Record<string, unknown> | null;
  comment?: string | null;
  inForceRevision?: number | null;
}

// Two deployments of the users service, users-a and users-b, each with one instance on its own connection.
describe("switchyard traffic, shadow and top against a real gateway", () => {
  let stack: Stack;
  let nc2: NatsConnection;
  let usersA: RunningService;
  let usersB: RunningService;
  /** The CLI pointed at this gateway. */
  const sy = (...args: string[]) => cli([...args, "--gateway", stack.url]);
  /** The policy as the gateway holds it, straight from the admin API. */
  const policyNow = async (): Promise<PolicyReply> => (await fetch(`${stack.url}/_/traffic/${SERVICE}`)).json() as Promise<PolicyReply>;
  const revisionIn = (stdout: string): number => {
    const match = new RegExp(`^${SERVICE.replaceAll(".", "\\.")}: revision (\\d+)\\n$`).exec(stdout);
    assert.ok(match, stdout);
    return Number(match[1]);
  };
  const ping = async (times: number) => {
    for (let i = 0; i < times; i++) assert.equal((await fetch(`${stack.url}/`)).status, 200);
  };

  before(async () => {
    stack = await startStack();
    nc2 = await connect({ servers: stack.ns.url, noAsyncTraces: true });
    usersA = await startUsersService(stack.nc, quiet, { deployment: "users-a" });
    usersB = await startUsersService(nc2, quiet, { deployment: "users-b" });
    await nc2.flush();
    await stack.app.directory.refresh();
  });
  after(async () => {
    await usersA.stop();
    await usersB.stop();
    await nc2.close();
    await stack.close();
  });

  describe("traffic", () => {
    it("set → show → weights → shadow → history → rollback → remove, each reflected by the gateway", async () => {
      assert.deepEqual(await sy("traffic", "show"), { code: 0, stdout: "no traffic policies\n", stderr: "" });

      const set = await sy("traffic", "set", SERVICE, '{"weights":{"users-a":100}}', "--comment", "all to a");
      assert.equal(set.code, 0, set.stderr);
      assert.equal(set.stderr, "", "both deployments have live instances: no warnings");
      const first = revisionIn(set.stdout);
      const stored = await policyNow();
      assert.deepEqual(
        [stored.revision, stored.inForceRevision, stored.policy, stored.comment],
        [first, first, { weights: { "users-a": 100 } }, "all to a"],
      );

      const show = await sy("traffic", "show", SERVICE);
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, new RegExp(`^${SERVICE}\\n  revision:  ${first}\\n  in force:  ${first}\\n  changed:   \\d{4}-.+Z\\n  comment:   all to a\\n  policy:\\n`));
      assert.match(show.stdout, /\n {4}\{\n {6}"weights": \{\n {8}"users-a": 100\n/, "the policy, pretty-printed and indented");
      const all = await sy("traffic", "show");
      assert.equal(all.stdout, show.stdout, "every policy: here the one");

      const weights = await sy("traffic", "weights", SERVICE, "users-a=90", "users-b=10");
      assert.equal(weights.code, 0, weights.stderr);
      const second = revisionIn(weights.stdout);
      assert.ok(second > first);
      assert.deepEqual((await policyNow()).policy, { weights: { "users-a": 90, "users-b": 10 } });
      assert.equal((await policyNow()).comment, "weights users-a=90 users-b=10", "the change is the default comment");

      const shadow = await sy("traffic", "shadow", SERVICE, "users-b", "--fraction", "0.5", "--ignore", "served_by.instance", "--comment", "try b");
      assert.equal(shadow.code, 0, shadow.stderr);
      const third = revisionIn(shadow.stdout);
      assert.deepEqual((await policyNow()).policy, {
        weights: { "users-a": 90, "users-b": 10 },
        shadow: { deployment: "users-b", fraction: 0.5, ignore: ["served_by.instance"] },
      });

      const off = await sy("traffic", "shadow", SERVICE, "--off");
      assert.equal(off.code, 0, off.stderr);
      const fourth = revisionIn(off.stdout);
      assert.deepEqual((await policyNow()).policy, { weights: { "users-a": 90, "users-b": 10 } }, "the weights stay");
      assert.deepEqual(await sy("traffic", "shadow", SERVICE, "--off"), {
        code: 0,
        stdout: `${SERVICE}: unchanged, it has no shadow\n`,
        stderr: "",
      });

      const history = await sy("traffic", "history", SERVICE);
      assert.equal(history.code, 0, history.stderr);
      const [header, ...rows] = history.stdout.trimEnd().split("\n").map((line) => line.trim().split(/\s{2,}/));
      assert.deepEqual(header, ["REVISION", "CHANGED", "COMMENT", "POLICY"]);
      for (const row of rows) assert.match(row[1]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      assert.deepEqual(
        rows.map(([revision, , comment, policy]) => [revision, comment, policy]),
        [
          [String(fourth), "shadow off", '{"weights":{"users-a":90,"users-b":10}}'],
          [String(third), "try b", '{"weights":{"users-a":90,"users-b":10},"shadow":{"deployment":"users-b","fraction":0.5,"ignore":["served_by.instance"]}}'],
          [String(second), "weights users-a=90 users-b=10", '{"weights":{"users-a":90,"users-b":10}}'],
          [String(first), "all to a", '{"weights":{"users-a":100}}'],
        ],
      );
      const historyJson = JSON.parse((await sy("traffic", "history", SERVICE, "--json")).stdout) as { revisions: { revision: number }[] };
      assert.deepEqual(historyJson.revisions.map((r) => r.revision), [fourth, third, second, first]);

      const back = await sy("traffic", "rollback", SERVICE);
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, new RegExp(`^${SERVICE}: revision \\d+ \\(rollback to revision ${third}\\)\\n$`), "the one before the latest");
      assert.deepEqual((await policyNow()).policy, {
        weights: { "users-a": 90, "users-b": 10 },
        shadow: { deployment: "users-b", fraction: 0.5, ignore: ["served_by.instance"] },
      });

      const to = await sy("traffic", "rollback", SERVICE, "--to", String(first));
      assert.equal(to.code, 0, to.stderr);
      assert.match(to.stdout, new RegExp(`: revision \\d+ \\(rollback to revision ${first}\\)\\n$`));
      assert.deepEqual((await policyNow()).policy, { weights: { "users-a": 100 } });

      assert.deepEqual(await sy("traffic", "remove", SERVICE), { code: 0, stdout: `${SERVICE}: policy removed\n`, stderr: "" });
      assert.deepEqual(await policyNow(), { service: SERVICE, revision: null, policy: null });
      assert.match((await sy("traffic", "history", SERVICE)).stdout.split("\n")[1]!, /^\s*\d+\s+-\s+-\s+\(removed\)$/);
      assert.deepEqual(await sy("traffic", "show", SERVICE), { code: 0, stdout: `${SERVICE}: no policy\n`, stderr: "" });
      assert.equal((await sy("traffic", "show")).stdout, "no traffic policies\n");
    });

    it("set reads the policy from @file and from stdin (-)", async () => {
      const dir = await mkdtemp(join(tmpdir(), "switchyard-cli-"));
      try {
        const file = join(dir, "policy.json");
        await writeFile(file, '{"weights":{"users-b":1}}');
        const fromFile = await sy("traffic", "set", SERVICE, `@${file}`);
        assert.equal(fromFile.code, 0, fromFile.stderr);
        assert.deepEqual((await policyNow()).policy, { weights: { "users-b": 1 } });
      } finally {
        await rm(dir, { recursive: true });
      }
      const fromStdin = await cli(["traffic", "set", SERVICE, "-", "--gateway", stack.url], {}, '{"weights":{"users-a":1}}\n');
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.deepEqual((await policyNow()).policy, { weights: { "users-a": 1 } });
      assert.equal((await sy("traffic", "remove", SERVICE)).code, 0);
    });

    it("prints each warning to stderr: a deployment with no live instance", async () => {
      const out = await sy("traffic", "set", SERVICE, '{"weights":{"users-a":1,"users-z":1}}');
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /: revision \d+\n$/);
      assert.match(out.stderr, /^switchyard: warning: no live instance belongs to users-z: .+\n$/);
      assert.equal((await sy("traffic", "remove", SERVICE)).code, 0);
    });

    it("a bad policy prints the field at fault and exits 1; nothing changes", async () => {
      const before = await policyNow();
      const out = await sy("traffic", "set", SERVICE, '{"weights":{"users-a":-1}}');
      assert.equal(out.code, 1);
      assert.equal(out.stdout, "");
      assert.equal(
        out.stderr,
        `switchyard: PUT ${stack.url}/_/traffic/${SERVICE}: 400 INVALID_POLICY: weights.users-a: must be a whole number from 0 to 1000000 (field policy.weights.users-a)\n`,
      );
      assert.deepEqual(await policyNow(), before);
    });

    it("--expect-revision: a stale revision is a conflict, exit 1", async () => {
      const first = revisionIn((await sy("traffic", "set", SERVICE, '{"weights":{"users-a":1}}')).stdout);
      const second = revisionIn((await sy("traffic", "set", SERVICE, '{"weights":{"users-b":1}}', "--expect-revision", String(first))).stdout);
      const stale = await sy("traffic", "set", SERVICE, '{"weights":{"users-a":2}}', "--expect-revision", String(first));
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, new RegExp(`^switchyard: PUT \\S+: 409 REVISION_CONFLICT: .*changed since revision ${first} \\(field expectedRevision\\)\\n$`));
      const none = await sy("traffic", "set", SERVICE, '{"weights":{"users-a":2}}', "--expect-revision", "0");
      assert.equal(none.code, 1, "0: only when there is no policy yet");
      assert.deepEqual((await policyNow()).revision, second);
      assert.deepEqual((await policyNow()).policy, { weights: { "users-b": 1 } });
      assert.equal((await sy("traffic", "remove", SERVICE)).code, 0);
    });

    it("an unknown service or revision is the gateway's 404, exit 1", async () => {
      const unknown = await sy("traffic", "weights", "nope.v1.Nope", "users-a=1");
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^switchyard: GET \S+\/_\/traffic\/nope\.v1\.Nope: 404 UNKNOWN_SERVICE: this gateway serves no nope\.v1\.Nope \(field service\)\n$/);
      const revision = await sy("traffic", "rollback", SERVICE, "--to", "999999");
      assert.equal(revision.code, 1);
      assert.match(revision.stderr, /^switchyard: POST \S+\/rollback: 404 REVISION_NOT_FOUND: revision 999999 is not in the history/);
    });

    it("bad usage exits 2 before anything is sent", async () => {
      const usage = [
        ["traffic", "set", SERVICE, "{weights"],
        ["traffic", "set", SERVICE, "@/nonexistent/policy.json"],
        ["traffic", "set", SERVICE, "{}", "--expect-revision", "x"],
        ["traffic", "weights", SERVICE, "users-a"],
        ["traffic", "weights", SERVICE, "users-a=1", "users-a=2"],
        ["traffic", "shadow", SERVICE],
        ["traffic", "shadow", SERVICE, "users-b", "--off"],
        ["traffic", "shadow", SERVICE, "users-b", "--fraction", "half"],
        ["traffic", "rollback", SERVICE, "--to", "0"],
        ["top", "--interval", "0"],
      ];
      for (const args of usage) {
        const out = await sy(...args);
        assert.equal(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
        assert.equal(out.stdout, "", args.join(" "));
      }
      assert.deepEqual(await policyNow(), { service: SERVICE, revision: null, policy: null });
    });
  });

  describe("with traffic", () => {
    before(async () => {
      // Every request to users-a, a copy of each to users-b; its replies name another instance.
      assert.equal((await sy("traffic", "set", SERVICE, '{"weights":{"users-a":100,"users-b":0},"shadow":{"deployment":"users-b"}}')).code, 0);
      assert.deepEqual(await sy("shadow", "reset"), { code: 0, stdout: "shadow results reset\n", stderr: "" });
      await ping(10);
      // The copies are compared after the replies went out.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const { reports } = (await (await fetch(`${stack.url}/_/shadow`)).json()) as { reports: { compared: number }[] };
        if ((reports[0]?.compared ?? 0) >= 10) break;
        assert.ok(Date.now() < deadline, "the shadow compared every copy");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await stack.app.directory.refresh();
    });

    it("services: a row per route and deployment with its weight and the share it got", async () => {
      const out = await sy("services");
      assert.equal(out.code, 0, out.stderr);
      const [instances = "", deployments = ""] = out.stdout.split("\n\n");
      assert.match(instances, /^GET\s+\/\s+users\s+users-a\s+typescript\s/m);
      assert.match(instances, /^GET\s+\/\s+users\s+users-b\s+typescript\s/m);
      const ping = deployments.split("\n").filter((l) => /^GET\s+\/\s/.test(l));
      assert.equal(ping.length, 2, deployments);
      assert.match(ping[0]!, /^GET\s+\/\s+users-a\s+1\s+100 \(100\.0%\)\s+100\.0%\s+\d+\.\d\d\s+0\.0\s+\d+\.\d\d\s+\d+\.\d\d\s+0$/);
      // The shadow's copies are not the route's traffic: users-b got none of it.
      assert.match(ping[1]!, /^GET\s+\/\s+users-b\s+1\s+0 \(0\.0%\)\s+0\.0%\s+0\.00\s+0\.0\s+-\s+-\s+0$/);
    });

    it("shadow report: the comparisons, the field that differs and the latest pair", async () => {
      const out = await sy("shadow", "report");
      assert.equal(out.code, 0, out.stderr);
      const report = out.stdout;
      assert.match(report, new RegExp(`^${SERVICE}\\.Ping → users-b \\(since \\S+\\)\\n`));
      assert.match(report, /\n {2}compared: {4}10 of 10 sent\n/);
      assert.match(report, /\n {2}mismatches: {2}10 \(100\.0%\)\n/, "every reply names its own instance");
      assert.match(report, /\n {2}failures: {4}none\n/);
      assert.match(report, /\n {2}FIELD\s+MISMATCHES\n {2}served_by\.instance\s+10\n/);
      assert.match(report, /\n {2}latest mismatch, \S+, request \S+:\n {4}differing: {2}served_by\.instance\n {4}request:\n {6}\{\}\n/);
      assert.match(report, new RegExp(`\\n {4}primary \\(users-a\\):\\n[\\s\\S]*"instance": "${usersA.id}"[\\s\\S]*\\n {4}shadow \\(users-b\\):\\n[\\s\\S]*"instance": "${usersB.id}"`));

      assert.equal((await sy("shadow", "report", "--rpc", "Ping")).stdout, report, "--rpc by method name");
      assert.equal((await sy("shadow", "report", "--rpc", `${SERVICE}.Ping`)).stdout, report, "--rpc by full name");
      assert.deepEqual(await sy("shadow", "report", "--rpc", "GetUser"), { code: 0, stdout: "no shadow comparisons for GetUser yet\n", stderr: "" });
      const json = JSON.parse((await sy("shadow", "report", "--json")).stdout) as { reports: { rpc: string; compared: number; recent: unknown[] }[] };
      assert.equal(json.reports[0]?.rpc, `${SERVICE}.Ping`);
      assert.equal(json.reports[0]?.compared, 10);
      assert.ok(json.reports[0]!.recent.length > 0);
    });

    it("top --once: NATS, each route's deployments with a sparkline, the shadows", async () => {
      const out = await sy("top", "--once");
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.split("\n");
      assert.match(lines[0]!, new RegExp(`^\\S+Z  NATS connected to 127\\.0\\.0\\.1:${new URL(stack.ns.url).port}  gateway up \\d+s  traffic policies loaded$`));
      assert.match(out.stdout, /\nMETHOD\s+PATH\s+DEPLOYMENT\s+RPS\s+ERR%\s+P50 MS\s+P99 MS\s+WEIGHT\s+SHARE\s+INSTANCES\s+LAST 60 S\n/);
      assert.match(out.stdout, /\nGET\s+\/\s+users-a\s+\d+\.\d\d\s+0\.0\s+\d+\.\d\d\s+\d+\.\d\d\s+100 \(100\.0%\)\s+100\.0%\s+1\s+[▁▂▃▄▅▆▇█]{20}\n/);
      assert.match(out.stdout, /\nGET\s+\/\s+users-b\s+0\.00\s+0\.0\s+-\s+-\s+0 \(0\.0%\)\s+0\.0%\s+1\n/);
      assert.match(out.stdout, /\nPOST\s+\/v1\/\{parent=warehouses\/\*\}\/items\s+no deployment\s/, "a route with nothing behind it shows");
      assert.match(out.stdout, new RegExp(`\\nSHADOWED RPC\\s+SHADOW\\s+COMPARED\\s+MISMATCHES\\s+RATE\\s+FIELDS\\n${SERVICE}\\.Ping\\s+users-b\\s+10\\s+10\\s+100\\.0%\\s+served_by\\.instance 10\\n`));
      assert.doesNotMatch(out.stdout, /\x1b/, "no terminal codes in a snapshot");
    });

    it("top on a terminal: redraws in place until Ctrl-C, then restores the cursor", async () => {
      let stdout = "";
      let interrupt: (() => void) | undefined;
      let released = false;
      const code = await run(["top", "--interval", "20", "--gateway", stack.url], {
        stdout: (text) => {
          stdout += text;
          // Ctrl-C once the third frame is on screen.
          if (stdout.split("\x1b[2J\x1b[H").length > 3) interrupt?.();
        },
        stderr: (text) => assert.fail(text),
        env: {},
        stdoutIsTTY: true,
        readStdin: async () => "",
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => void (released = true);
        },
      });
      assert.equal(code, 0);
      assert.ok(stdout.startsWith("\x1b[?25l\x1b[2J\x1b[H"), "cursor hidden, screen cleared");
      assert.ok(stdout.endsWith("\x1b[?25h"), "cursor shown again");
      const frames = stdout.slice("\x1b[?25l".length, -"\x1b[?25h".length).split("\x1b[2J\x1b[H").slice(1);
      assert.equal(frames.length, 3);
      for (const frame of frames) assert.match(frame, /NATS connected[\s\S]*\nGET\s+\/\s+users-a\s/);
      assert.ok(released, "Ctrl-C is the process's again");
    });

    it("top on a terminal: a gateway gone after the first frame is shown in place, and polled again", async () => {
      const doomed = await startStack();
      let stdout = "";
      let interrupt: (() => void) | undefined;
      try {
        const code = await run(["top", "--interval", "20", "--gateway", doomed.url], {
          stdout: (text) => {
            stdout += text;
            if (text.startsWith("\x1b[2J\x1b[H")) {
              if (/NATS connected/.test(text)) void doomed.app.close();
              if (stdout.split("cannot reach the gateway").length > 2) interrupt?.();
            }
          },
          stderr: (text) => assert.fail(text),
          env: {},
          stdoutIsTTY: true,
          readStdin: async () => "",
          onInterrupt: (handler) => {
            interrupt = handler;
            return () => undefined;
          },
        });
        assert.equal(code, 0);
      } finally {
        await doomed.close();
      }
      assert.match(stdout, new RegExp(`\x1b\\[2J\x1b\\[Hswitchyard: cannot reach the gateway at ${doomed.url}: .+\nretrying every 20 ms; Ctrl-C to quit\n`));
      assert.ok(stdout.endsWith("\x1b[?25h"));
    });

    it("top as a real process whose stdout is not a terminal: one snapshot, exit 0", async () => {
      const out = await subprocess(["top", "--gateway", stack.url]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^\S+Z {2}NATS connected/);
      assert.doesNotMatch(out.stdout, /\x1b/);
    });

    it("shadow reset forgets the comparisons", async () => {
      assert.deepEqual(await sy("shadow", "reset"), { code: 0, stdout: "shadow results reset\n", stderr: "" });
      assert.equal((await sy("shadow", "report")).stdout, "no shadow comparisons yet\n");
      assert.equal((await sy("traffic", "remove", SERVICE)).code, 0);
    });
  });
});
