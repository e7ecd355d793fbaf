import assert from "node:assert/strict";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { routesOf } from "@switchyard/gateway";
import Fastify, { type FastifyInstance } from "fastify";
import type { BrowserContext } from "playwright-core";
import { launchBrowser, type Browser } from "./browser.js";
import { buildOpenApi, docsPlugin, openApiSource } from "@switchyard/gateway";

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), "output", "docs.png");

describe("/docs in headless Chromium", () => {
  const routes = routesOf([UserService]);
  let app: FastifyInstance;
  let origin: string;
  let browser: Browser | undefined;
  let context: BrowserContext;

  before(async () => {
    const source = openApiSource(() => buildOpenApi(routes, { title: "Switchyard", version: "0.1.0" }));
    app = Fastify({ logger: false });
    await app.register(docsPlugin, { document: source.document });
    origin = await app.listen({ host: "127.0.0.1", port: 0 });
    browser = await launchBrowser({ width: 1280, height: 1000 });
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows every operation, loads nothing from elsewhere, and leaves a screenshot", async () => {
    const requests: string[] = [];
    const problems: string[] = [];
    context.on("request", (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${origin}/docs`, { waitUntil: "load", timeout: 30_000 });
    assert.equal(response?.status(), 200);
    await page.locator(".opblock").nth(routes.length - 1).waitFor({ timeout: 30_000 });
    await page.getByText("CreateUser", { exact: true }).first().waitFor();
    await page.waitForLoadState("networkidle");

    const paths = await page.locator(".opblock-summary-path").allInnerTexts();
    for (const route of routes) {
      const path = route.template.source.replace(/\{([^}=]+)[^}]*\}/g, "{$1}");
      if (path.includes(".")) continue; // a nested field joins the path item of the same shape
      assert.ok(paths.some((p) => p.replace(/\u200b/g, "") === path), `${path} is shown (shown: ${paths.join(", ")})`);
    }
    assert.equal(await page.locator(".opblock").count(), routes.length);

    const foreign = requests.filter((url) => {
      const { protocol, hostname } = new URL(url);
      return !(protocol === "data:" || protocol === "blob:" || hostname === "127.0.0.1");
    });
    assert.deepEqual(foreign, [], "every request stays on the gateway");
    assert.ok(requests.includes(`${origin}/openapi.json`), "the page fetched /openapi.json");
    assert.deepEqual(problems, []);

    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = await readFile(SCREENSHOT);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG signature");
    assert.ok((await stat(SCREENSHOT)).size > 20_000, "more than a blank page");
    assert.equal(png.readUInt32BE(16), 1280, "width from IHDR");
    assert.ok(png.readUInt32BE(20) >= 600, "height from IHDR");

    // Open CreateUser: its body and its problem+json responses render too.
    const create = page.locator("#operations-UserService-UserService_CreateUser");
    await create.locator(".opblock-summary").click();
    await create.locator(".responses-table").first().waitFor();
    await create.locator('option[value="application/problem+json"]').first().waitFor({ state: "attached" });
    const statuses = (await create.locator(".response-col_status").allInnerTexts()).map((s) => s.trim());
    for (const status of ["200", "400", "413", "415", "503", "504"]) assert.ok(statuses.includes(status), status);
    assert.deepEqual(problems, []);
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-create-user.png") });
  });
});
