/**
 * How long GET /metrics takes on a gateway serving many routes that have all had traffic: the cost
 * that grows with a contract's size. The gateway runs in this process (its routes come from a
 * contract built in memory); no instance serves them, so each route's request is a quick 503,
 * counted like any other request.
 */
import type { AddressInfo } from "node:net";
import { connect } from "@nats-io/transport-node";
import { buildGateway, loadConfig } from "@switchyard/gateway";
import type { NatsServer } from "@switchyard/testing";
import { manyRoutesService } from "./many-routes.js";
import { median } from "./report.js";

export interface ScrapeReport {
  routes: number;
  /** Sample lines in one scrape. */
  samples: number;
  bytes: number;
  scrapes: number;
  medianMs: number;
  maxMs: number;
}

const WARM_UP = 5;
const SCRAPES = 20;

export async function measureMetricsScrape(nats: NatsServer, routes: number): Promise<ScrapeReport> {
  console.error(`\nGET /metrics with ${routes} routes`);
  const nc = await connect({ servers: nats.url, noAsyncTraces: true });
  const config = { ...(await loadConfig({ LOG_LEVEL: "silent", READY_NEEDS_INSTANCES: "false" })), adminOnMainPort: true };
  const app = buildGateway({ nc, services: [manyRoutesService(routes)], config });
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (let i = 0; i < routes; i++) {
      const res = await fetch(`${url}/r${i}/x`);
      await res.arrayBuffer();
      if (res.status !== 503) throw new Error(`GET /r${i}/x: expected 503 NO_SERVICE, got ${res.status}`);
    }
    // Until the last byte is in, as a scraper takes it; the text is decoded once, after.
    const times: number[] = [];
    let bytes = new ArrayBuffer(0);
    for (let i = 0; i < WARM_UP + SCRAPES; i++) {
      const started = performance.now();
      const res = await fetch(`${url}/metrics`);
      bytes = await res.arrayBuffer();
      if (i >= WARM_UP) times.push(performance.now() - started);
    }
    const body = new TextDecoder().decode(bytes);
    const report = {
      routes,
      samples: body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length,
      bytes: Buffer.byteLength(body),
      scrapes: SCRAPES,
      medianMs: median(times),
      maxMs: Math.max(...times),
    };
    console.error(`  ${report.samples} samples, ${(report.bytes / 1024).toFixed(0)} KiB, median ${report.medianMs.toFixed(1)} ms, max ${report.maxMs.toFixed(1)} ms`);
    return report;
  } finally {
    await app.close();
    await nc.close();
  }
}
