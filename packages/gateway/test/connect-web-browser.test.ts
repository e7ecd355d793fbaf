import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningService } from "@switchyard/service";
import { startUsersService } from "@switchyard/users-ts";
import { build } from "esbuild";
import { launchBrowser, type Browser } from "./browser.js";
import type { Row, Summary } from "./fixtures/connect-web/client.js";
import { startStack, type Stack } from "./harness.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, "fixtures", "connect-web", "client.ts");
const SCREENSHOT = join(HERE, "output", "connect-web.png");
const quiet = { info: () => undefined, error: () => undefined };

const TRANSPORTS = ["Connect JSON", "Connect JSON, GET", "Connect binary", "gRPC-Web"];
const CALLS: [call: string, expected: string][] = [
  ["Ping", "ok"],
  ["CreateUser", "ok"],
  ["GetUser", "ok"],
  ["ListUsers", "ok"],
  ["GetUser (missing id)", "NotFound"],
  ["CreateUser (blank first name)", "InvalidArgument"],
  ["StreamUsers (first 3)", "ok"],
];

/** One request the page sent to the gateway, as Chromium saw it (headers unfiltered by CORS). */
interface Seen {
  method: string;
  path: string;
  query: string;
  contentType: string;
  status: number;
  allowOrigin: string;
}

/** The page and its bundle, served from an origin of their own (another port) so every call is cross-origin. */
async function servePage(bundle: string): Promise<{ server: Server; origin: string }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>connect-web → Switchyard</title></head>
<body><p>connect-web client loaded from this origin; the gateway is another.</p><script src="/client.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
    else if (req.url === "/client.js") res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The summary as a page: which origin called which, then one row per call. */
function summaryHtml(summary: Summary, seen: Seen[]): string {
  const rows = summary.rows
    .map(
      (r) => `<tr class="${r.pass ? "pass" : "fail"}"><td>${escape(r.transport)}</td><td>${escape(r.call)}</td><td>${escape(r.expected)}</td>` +
        `<td>${escape(r.got)}</td><td class="detail">${escape(r.detail)}</td><td>${r.pass ? "✓" : "✗"}</td></tr>`,
    )
    .join("\n");
  const kinds = new Map<string, number>();
  for (const s of seen) {
    const key = `${s.method} ${s.contentType || "(no body)"} → ${s.status}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  const wire = [...kinds].map(([k, n]) => `<li>${escape(k)} ×${n}</li>`).join("");
  const passed = summary.rows.filter((r) => r.pass).length;
  return `<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #1b1f24; }
  h1 { font-size: 20px; margin: 0 0 6px; }
  p { margin: 4px 0; }
  code { font: 13px ui-monospace, monospace; }
  table { border-collapse: collapse; margin-top: 12px; }
  th, td { border: 1px solid #c8ced6; padding: 4px 10px; text-align: left; font-size: 13px; }
  th { background: #eef1f4; }
  tr.pass td:last-child { color: #137333; font-weight: bold; }
  tr.fail { background: #fde7e9; }
  td.detail { font: 12px ui-monospace, monospace; max-width: 560px; }
  ul { margin: 6px 0; columns: 2; font: 12px ui-monospace, monospace; }
</style>
<h1>@connectrpc/connect-web in Chromium → users.v1.UserService through the gateway</h1>
<p>Page origin <code>${escape(summary.origin)}</code>, gateway <code>${escape(summary.baseUrl)}</code> (CORS_ORIGINS = the page origin).</p>
<p><b>${passed} of ${summary.rows.length}</b> calls as expected.</p>
<table><thead><tr><th>Transport</th><th>Call</th><th>Expected</th><th>Got</th><th>Detail</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Requests the page sent to the gateway (method, request content type → HTTP status):</p><ul>${wire}</ul>`;
}

describe("@connectrpc/connect-web in headless Chromium, cross-origin, against the users service", () => {
  let dir: string;
  let page: { server: Server; origin: string };
  let stack: Stack;
  let service: RunningService;
  let gateway: string;
  let browser: Browser | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-connect-web-"));
    const outfile = join(dir, "client.js");
    await build({ entryPoints: [ENTRY], outfile, bundle: true, format: "iife", platform: "browser", target: "chrome120", logLevel: "silent" });
    page = await servePage(await readFile(outfile, "utf8"));

    stack = await startStack({ corsOrigins: [page.origin] });
    service = await startUsersService(stack.nc, quiet);
    gateway = await stack.app.listen({ host: "127.0.0.1", port: 0 });
    // Enough users that each transport's StreamUsers has three to read.
    for (const [i, lastName] of ["Lovelace", "Hopper", "Liskov"].entries()) {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${gateway}/users`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ firstName: `Seed${i}`, lastName }),
        });
        if (res.status === 200 || res.status === 201) break;
        if (attempt === 50) assert.fail(`seeding users: ${res.status} ${await res.text()}`);
        await sleep(100);
      }
    }
    browser = await launchBrowser({ width: 1280, height: 900 });
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
    await new Promise((resolve) => page?.server.close(resolve));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("runs unary, GET, error and streaming calls over Connect JSON, Connect binary and gRPC-Web", { timeout: 120_000 }, async () => {
    const tab = await browser!.context.newPage();
    const problems: string[] = [];
    tab.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    tab.on("console", (message) => {
      // Chromium logs every 4xx a fetch gets; NotFound is a 404 and InvalidArgument a 400 in Connect unary.
      if (message.type() === "error" && !/the server responded with a status of 40[04]/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    tab.on("requestfailed", (request) => {
      // A stream the client leaves after three messages is aborted on purpose.
      if (!request.url().endsWith("/StreamUsers")) problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
    });
    const seen: Seen[] = [];
    tab.on("response", (response) => {
      const url = new URL(response.url());
      if (url.origin !== gateway) return;
      const request = response.request();
      seen.push({
        method: request.method(),
        path: url.pathname,
        query: url.search,
        contentType: request.headers()["content-type"] ?? "",
        status: response.status(),
        allowOrigin: response.headers()["access-control-allow-origin"] ?? "",
      });
    });

    assert.equal((await tab.goto(`${page.origin}/`, { waitUntil: "load", timeout: 30_000 }))?.status(), 200);
    await tab.waitForFunction("typeof window.runConnectWeb === 'function'", undefined, { timeout: 10_000 });
    const summary = (await tab.evaluate(`window.runConnectWeb(${JSON.stringify(gateway)})`)) as Summary;

    // The table first, so that a failing assertion below still leaves a screenshot to look at.
    await tab.evaluate((html) => {
      (globalThis as unknown as { document: { body: { innerHTML: string } } }).document.body.innerHTML = html;
    }, summaryHtml(summary, seen));
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await tab.screenshot({ path: SCREENSHOT, fullPage: true });

    assert.equal(summary.origin, page.origin);
    assert.notEqual(summary.origin, gateway);
    const failed = summary.rows.filter((r) => !r.pass);
    assert.deepEqual(failed, [], `calls not as expected:\n${failed.map((r) => `${r.transport} ${r.call}: ${r.got} ${r.detail}`).join("\n")}`);
    assert.deepEqual(
      summary.rows.map((r: Row) => [r.transport, r.call, r.got]),
      TRANSPORTS.flatMap((t) => CALLS.map(([call, expected]) => [t, call, expected])),
    );
    for (const r of summary.rows.filter((row) => row.call === "CreateUser (blank first name)")) assert.match(r.detail, /first_name/, r.transport);
    assert.deepEqual(problems, []);

    // Every answer carried the page's origin in Access-Control-Allow-Origin, or the browser would have refused it.
    assert.ok(seen.length >= TRANSPORTS.length * CALLS.length, `saw ${seen.length} requests`);
    for (const s of seen) assert.equal(s.allowOrigin, page.origin, `${s.method} ${s.path}`);
    const rpc = (method: string) => `/users.v1.UserService/${method}`;
    const types = new Set(seen.map((s) => `${s.method} ${s.path.split("/").pop()} ${s.contentType}`));
    // Connect unary POST in JSON and binary; Connect server streaming; gRPC-Web; Connect GET.
    for (const t of [
      "POST Ping application/json",
      "POST CreateUser application/proto",
      "POST StreamUsers application/connect+json",
      "POST StreamUsers application/connect+proto",
      "POST GetUser application/grpc-web+proto",
      "POST StreamUsers application/grpc-web+proto",
    ]) {
      assert.ok(types.has(t), `no ${t} in ${[...types].join(", ")}`);
    }
    const gets = seen.filter((s) => s.method === "GET");
    assert.deepEqual([...new Set(gets.map((s) => s.path))].sort(), [rpc("GetUser"), rpc("ListUsers"), rpc("Ping")]);
    for (const g of gets) assert.match(g.query, /[?&]connect=v1(&|$)/);
    assert.deepEqual(gets.map((g) => g.status).sort(), [200, 200, 200, 404]);
  });
});
