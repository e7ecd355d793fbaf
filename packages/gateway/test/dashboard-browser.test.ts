import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { buildAdmin, buildGateway, loadConfig } from "@switchyard/gateway";
import type { RunningService } from "@switchyard/service";
import { startNatsServer, type NatsServer } from "@switchyard/testing";
import { startUsersService } from "@switchyard/users-ts";
import type { FastifyInstance } from "fastify";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser, type Browser } from "./browser.js";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "output");
const USERS = "users.v1.UserService";
const PING = '[data-route="GET /"]';
const quiet = { info: () => undefined, error: () => undefined };

/** The figures one deployment's row shows, from the raw values beside the text. */
interface Shown {
  requests: number;
  share: number;
  weight: string;
}

describe("/_/dashboard in headless Chromium", () => {
  let ns: NatsServer;
  const connections: NatsConnection[] = [];
  const services: RunningService[] = [];
  let app: FastifyInstance;
  let origin: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let load: Load | undefined;
  const requests: string[] = [];

  const connection = async () => {
    const nc = await connect({ servers: ns.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    connections.push(nc);
    return nc;
  };
  const setPolicy = async (policy: unknown) => {
    const res = await fetch(`${origin}/_/traffic/${USERS}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ policy }),
    });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    ns = await startNatsServer();
    const config = { ...(await loadConfig({ LOG_LEVEL: "silent", DISCOVERY_INTERVAL_MS: "200" })), adminOnMainPort: true };
    app = buildGateway({ nc: await connection(), services: contractFiles.flatMap((f) => f.services), config });
    await app.listen({ port: 0, host: "127.0.0.1" });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    services.push(await startUsersService(await connection(), quiet, { deployment: "users-a" }));
    services.push(await startUsersService(await connection(), quiet, { deployment: "users-b" }));
    await until("both deployments are discovered", async () => {
      const stats = (await (await fetch(`${origin}/_/stats`)).json()) as { routes: { rpc: string; instances: { deployment: string }[] }[] };
      const ping = stats.routes.find((r) => r.rpc === `${USERS}.Ping`);
      return new Set(ping?.instances.map((i) => i.deployment)).size === 2;
    });
    await setPolicy({ weights: { "users-a": 80, "users-b": 20 } });
    load = drive(`${origin}/`);

    browser = await launchBrowser({ width: 1280, height: 800 });
    context = browser.context;
    context.on("request", (request) => requests.push(request.url()));
  });

  after(async () => {
    await load?.stop();
    await browser?.close();
    await app?.close();
    for (const s of services) await s.stop();
    for (const nc of connections) if (!nc.isClosed()) await nc.close();
    await ns?.stop();
  });

  it("follows a route moving between deployments, live, and leaves screenshots", { timeout: 180_000 }, async (t) => {
    const page = await context.newPage();
    const problems = watch(page);

    const response = await page.goto(`${origin}/_/dashboard`, { waitUntil: "load", timeout: 30_000 });
    assert.equal(response?.status(), 200);
    const csp = (await response!.allHeaders())["content-security-policy"] ?? "";
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /require-trusted-types-for 'script'/);
    await page.locator("#link-state[data-state=live]").waitFor();
    await page.locator('[data-gateway="nats"]', { hasText: "Connected" }).waitFor();
    for (const name of ["users-a", "users-b"]) await page.locator(`${PING} tr[data-deployment="${name}"]`).waitFor();
    assert.match(await page.locator(`${PING} .rpc`).innerText(), /users\.v1\.UserService\.Ping/);
    assert.match(await page.locator(`${PING} tr[data-deployment="users-a"] .instances`).innerText(), /typescript 1\.0\.0 · up \d/);

    // Both deployments' figures grow while the page stays as it is.
    const first = await shown(page);
    await sleep(2500);
    const second = await shown(page);
    for (const name of ["users-a", "users-b"]) {
      assert.ok(second[name]!.requests > first[name]!.requests, `${name}: ${first[name]!.requests} then ${second[name]!.requests}`);
    }
    assert.deepEqual([second["users-a"]!.weight, second["users-b"]!.weight], ["80%", "20%"]);
    const split = await until("the shares approach 80/20", async () => {
      const now = await shown(page);
      return between(now["users-a"]!.share, 0.65, 0.92) && between(now["users-b"]!.share, 0.08, 0.35) ? now : undefined;
    });
    await page.locator(`${PING} .uplot canvas`).first().waitFor();

    // The operator moves the route: the weights shown change at once, the shares follow.
    await setPolicy({ weights: { "users-a": 20, "users-b": 80 } });
    await until("the weights shown change to 20/80", async () => {
      const now = await shown(page);
      return now["users-a"]!.weight === "20%" && now["users-b"]!.weight === "80%";
    });
    await until("users-b's share grows", async () => {
      const now = await shown(page);
      return now["users-b"]!.share > split["users-b"]!.share + 0.15 && now["users-a"]!.share < split["users-a"]!.share - 0.15;
    });

    // A shadow: users-b gets copies of what users-a answers, and the comparisons show.
    await setPolicy({ weights: { "users-a": 100 }, shadow: { deployment: "users-b" } });
    await page.locator(`${PING} [data-tag="shadow"]`, { hasText: "users-b" }).waitFor();
    const card = page.locator(`[data-shadow="${USERS}.Ping users-b"]`);
    await until("the shadow section shows compared requests", async () => Number((await card.locator('[data-stat="compared"]').getAttribute("data-value").catch(() => null)) ?? 0) > 0);
    // users-a and users-b are different instances: servedBy.instance differs, and the pair shows it.
    await card.locator('[data-field="served_by.instance"]').waitFor();
    await card.locator(".pair-box[open] [data-pane=shadow] mark.diff").first().waitFor();
    assert.match(await card.locator("[data-pane=primary]").innerText(), /users-a[\s\S]*"message": "pong"/);
    assert.match(await card.locator("[data-pane=shadow]").innerText(), /users-b[\s\S]*"served_by"/);
    assert.match(await page.locator("#conflicts").innerText(), /None/);
    await sleep(1500); // a few more seconds on the chart

    const foreign = requests.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !(protocol === "data:" || protocol === "blob:" || hostname === "127.0.0.1");
    });
    assert.deepEqual(foreign, [], "every request stays on the gateway");
    assert.ok(requests.includes(`${origin}/_/stats`), "the page polled /_/stats");
    assert.ok(requests.includes(`${origin}/_/dashboard/uplot/uPlot.iife.min.js`), "uPlot came from the gateway");
    assert.deepEqual(problems, []);

    await mkdir(OUTPUT, { recursive: true });
    await screenshot(page, "dashboard-1280x800.png", 1280);
    await page.setViewportSize({ width: 390, height: 844 });
    await sleep(1500);
    assert.ok(await page.evaluate("document.documentElement.scrollWidth <= 390"), "nothing wider than a phone's screen");
    await screenshot(page, "dashboard-390x844.png", 390);
    assert.deepEqual(problems, []);
    await page.close();
    t.diagnostic(`load: ${Math.round(load!.rate())} requests/s answered`);
  });

  it("says when a reading fails, keeps trying, and comes back", { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${origin}/_/dashboard`, { waitUntil: "load" });
    await page.locator(`${PING} tr[data-deployment="users-a"]`).waitFor();
    await page.route("**/_/stats", (route) => route.abort("connectionrefused"));
    await page.locator("#link-state[data-state=disconnected]").waitFor();
    assert.match(await page.locator("#banner").innerText(), /No reading from the gateway since .* Retrying/);
    assert.ok(await page.locator("main.stale").isVisible(), "the last figures stay, dimmed");
    await page.unroute("**/_/stats");
    await page.locator("#link-state[data-state=live]").waitFor({ timeout: 10_000 });
    assert.ok(await page.locator("#banner").isHidden());
    // The refused readings are logged by the browser itself; nothing else may be.
    assert.deepEqual(
      problems.filter((p) => !/Failed to load resource/.test(p)),
      [],
    );
    await page.close();
  });

  it("shows an empty gateway plainly and every string from services as text", { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    const problems = watch(page);
    let reading: unknown = emptyReading();
    await page.route("**/_/stats", (route) => route.fulfill({ json: reading }));
    await page.goto(`${origin}/_/dashboard`, { waitUntil: "load" });
    await page.getByText("This gateway serves no routes.").waitFor();
    await page.getByText("No shadow comparisons yet.").waitFor();
    assert.match(await page.locator('[data-gateway="rps"]').innerText(), /0/);

    reading = hostileReading();
    await page.locator(".shadow-card .pair .json").first().waitFor();
    assert.equal(await page.locator("article.route").getAttribute("data-route"), `GET ${HOSTILE}`);
    assert.equal(await page.locator(".shadow-card").getAttribute("data-shadow"), `${HOSTILE} ${HOSTILE_NAME}`);
    const injected = await page.evaluate(`({
      pwned: window.pwned === true,
      elements: document.querySelectorAll("main img, main script, main b, main iframe").length,
    })`);
    assert.deepEqual(injected, { pwned: false, elements: 0 });
    const text = await page.locator("main").innerText();
    for (const where of ["path", "language", "version", "reason", "request", "reply", "field"]) {
      assert.ok(text.includes(`${where}<img src=x onerror=`), `${where} is shown as text`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("serves the page and its assets on ADMIN_PORT too, uPlot included", async () => {
    const admin = buildAdmin(app, { ...(await loadConfig({ LOG_LEVEL: "silent" })), adminOnMainPort: false });
    try {
      const page = await admin.inject({ method: "GET", url: "/_/dashboard" });
      assert.equal(page.statusCode, 200);
      assert.match(page.headers["content-type"] as string, /^text\/html/);
      assert.match(page.headers["content-security-policy"] as string, /default-src 'none'/);
      for (const src of page.body.matchAll(/(?:src|href)="(dashboard\/[^"]+)"/g)) {
        const url = new URL(src[1]!, "http://admin/_/dashboard").pathname;
        const asset = await admin.inject({ method: "GET", url });
        assert.equal(asset.statusCode, 200, src[1]);
        const again = await admin.inject({ method: "GET", url, headers: { "if-none-match": asset.headers.etag as string } });
        assert.equal(again.statusCode, 304, `${src[1]} is revalidated by its ETag`);
      }
      assert.match(page.body, /uplot\/uPlot\.iife\.min\.js/);
      const slash = await admin.inject({ method: "GET", url: "/_/dashboard/" });
      assert.equal(slash.statusCode, 301);
      assert.equal(slash.headers.location, "../dashboard");
      assert.equal((await admin.inject({ method: "GET", url: "/_/dashboard/index.html" })).statusCode, 404);
    } finally {
      await admin.close();
    }
  });
});

/** Reports uncaught errors and console errors of a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return problems;
}

/** What the Ping route's rows show now, per deployment. */
async function shown(page: Page): Promise<Record<string, Shown>> {
  // Run in the page, as source: the test's TypeScript knows no DOM, and tsx would wrap functions in a helper the page lacks.
  return page.evaluate(`Object.fromEntries(
    [...document.querySelectorAll('${PING} tr[data-deployment]')].map((row) => [
      row.dataset.deployment,
      {
        requests: Number(row.querySelector('[data-stat="requests"]')?.dataset.value),
        share: Number(row.querySelector('[data-stat="share"]')?.dataset.value),
        weight: row.querySelector('[data-stat="weight"]')?.textContent ?? "",
      },
    ]),
  )`);
}

async function screenshot(page: Page, name: string, width: number): Promise<void> {
  const path = join(OUTPUT, name);
  await page.screenshot({ path, fullPage: true });
  const png = await readFile(path);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG signature");
  assert.equal(png.readUInt32BE(16), width, "width from IHDR");
  assert.ok(png.length > 20_000, "more than a blank page");
}

interface Load {
  /** Requests answered 200 per second so far. */
  rate(): number;
  /** Stops, and resolves to how many were answered 200. */
  stop(): Promise<number>;
}

/** GET requests at a few hundred a second, from a few workers, until stopped. */
function drive(url: string): Load {
  let running = true;
  let ok = 0;
  const started = Date.now();
  const worker = async () => {
    while (running) {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) ok++;
      } catch {
        // the gateway closing under the last requests
      }
      await sleep(5);
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  return {
    rate: () => (ok * 1000) / (Date.now() - started),
    async stop() {
      running = false;
      await Promise.all(workers);
      return ok;
    },
  };
}

/** Polls `check` until it returns something truthy (which it returns), or fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(200);
  }
}

function between(x: number, low: number, high: number): boolean {
  return x >= low && x <= high;
}

function emptyReading() {
  return {
    at: new Date().toISOString(),
    gateway: { natsConnected: true, natsServer: "127.0.0.1:4222", uptimeSeconds: 3, trafficPolicies: "loaded" },
    routes: [],
    shadow: [],
    conflicts: [],
  };
}

const attack = (where: string) => `${where}<img src=x onerror="window.pwned=true"><script>window.pwned=true</script><b>bold</b>`;
const HOSTILE = attack("path");
const HOSTILE_NAME = "users-x";

/** A reading whose every string is markup, as a hostile service or client could make it. */
function hostileReading() {
  const reply = { message: attack("reply"), [attack("key")]: attack("value") };
  return {
    ...emptyReading(),
    at: new Date().toISOString(),
    gateway: { natsConnected: true, natsServer: attack("server"), uptimeSeconds: 3, trafficPolicies: attack("policies") },
    routes: [
      {
        method: "GET",
        path: HOSTILE,
        rpc: HOSTILE,
        subject: attack("subject"),
        instances: [
          {
            service: attack("service"),
            language: attack("language"),
            version: attack("version"),
            deployment: HOSTILE_NAME,
            id: attack("id"),
            uptimeSeconds: 61,
            requests: 10,
            errors: 0,
            averageProcessingMs: 1,
          },
        ],
        policyRevision: 2,
        shadow: HOSTILE_NAME,
        deployments: [
          {
            deployment: HOSTILE_NAME,
            languages: [attack("language")],
            versions: [attack("version")],
            instances: 1,
            weight: 1,
            weightShare: 1,
            share: 1,
            requests: 10,
            errors: 0,
            rps: 0.2,
            errorRate: 0,
            p50Ms: 1,
            p99Ms: 2,
            fallbacks: 0,
            series: { requests: Array.from({ length: 60 }, (_, i) => i % 3), errors: new Array(60).fill(0) },
          },
        ],
        unattributed: 0,
      },
    ],
    shadow: [
      {
        rpc: HOSTILE,
        shadow: HOSTILE_NAME,
        sent: 2,
        compared: 2,
        mismatches: 1,
        mismatchRate: 0.5,
        fields: [{ field: attack("field"), mismatches: 1 }],
        latestMismatch: {
          at: new Date().toISOString(),
          requestId: attack("requestId"),
          request: { name: attack("request") },
          primary: { deployment: HOSTILE_NAME, status: "ok", reply },
          shadow: { deployment: HOSTILE_NAME, status: "error", code: attack("code"), field: attack("field") },
          fields: ["message"],
        },
      },
    ],
    conflicts: [{ service: attack("service"), digests: [attack("digest")], reason: attack("reason") }],
  };
}
