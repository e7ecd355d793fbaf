import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { startInventoryService } from "@switchyard/inventory-ts";
import type { RunningService } from "@switchyard/service";
import { launchBrowser, type Browser } from "./browser.js";
import { startStack, type Stack } from "./harness.js";

const SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), "output", "docs-try-it-out.png");
const quiet = { info: () => undefined, error: () => undefined };

/*
 * GET /v1/{parent=warehouses/*}/items: a variable whose value holds a slash. Swagger UI
 * percent-encodes a path parameter's slashes, so the document writes the route expanded,
 * /v1/warehouses/{warehouse}/items, and "Try it out" reaches the service.
 */
describe("Swagger UI's Try it out on a route with a slashed variable, in headless Chromium", () => {
  let stack: Stack;
  let service: RunningService;
  let origin: string;
  let browser: Browser | undefined;

  before(async () => {
    stack = await startStack();
    service = await startInventoryService(stack.nc, quiet);
    origin = await stack.app.listen({ host: "127.0.0.1", port: 0 });
    const created = await fetch(`${origin}/v1/warehouses/lyon/items?itemId=hex-bolt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "HEX-M8", displayName: "Hex bolt M8", quantity: "40" }),
    });
    assert.equal(created.status, 201, await created.text());
    browser = await launchBrowser({ width: 1280, height: 1000 });
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
  });

  it("sends ListItems from the request builder and shows the service's 200", { timeout: 120_000 }, async () => {
    const page = await browser!.context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    assert.equal((await page.goto(`${origin}/docs`, { waitUntil: "load", timeout: 30_000 }))?.status(), 200);

    const list = page.locator("#operations-InventoryService-InventoryService_ListItems");
    await list.waitFor({ timeout: 30_000 });
    assert.equal((await list.locator(".opblock-summary-path").innerText()).replace(/\u200b/g, ""), "/v1/warehouses/{warehouse}/items");
    await list.locator(".opblock-summary").click();
    await list.locator(".try-out__btn").click();
    const warehouse = list.locator('tr[data-param-name="warehouse"][data-param-in="path"]');
    assert.match(await warehouse.innerText(), /Fills the field parent: the gateway sets it to warehouses\/\{warehouse\}/);
    await warehouse.locator("input").fill("lyon");

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(`${origin}/v1/`), { timeout: 30_000 }),
      list.locator("button.execute").click(),
    ]);
    assert.equal(new URL(response.url()).pathname, "/v1/warehouses/lyon/items");
    assert.equal(response.status(), 200);

    // What Swagger UI shows: the request URL, the status and the body the service answered.
    const live = list.locator(".live-responses-table");
    await live.waitFor();
    assert.equal((await list.locator(".request-url pre").innerText()).trim(), `${origin}/v1/warehouses/lyon/items`);
    assert.equal((await live.locator("tbody .response-col_status").innerText()).trim(), "200");
    const body = await live.locator("tbody .response-col_description pre").first().innerText();
    assert.equal(JSON.parse(body).items[0].name, "warehouses/lyon/items/hex-bolt");
    assert.match(body, /"displayName": "Hex bolt M8"/);
    assert.deepEqual(problems, []);

    // The operation from its summary down to the live response; the documented responses below are left out.
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.evaluate("window.scrollTo(0, 0)"); // bounding boxes are then page coordinates
    const top = (await list.boundingBox())!;
    const end = (await live.boundingBox())!;
    await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: top.x, y: top.y, width: top.width, height: end.y + end.height - top.y + 16 } });
  });
});
