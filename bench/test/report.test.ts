import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { columns, compare, formatScrape, formatTable, summarize, type MeasuredRun } from "../src/report.js";

const run = (reqPerSec: number, p99Ms: number, cpuUsPerRequest: number): MeasuredRun => ({
  reqPerSec,
  p50Ms: p99Ms / 3,
  p99Ms,
  cpuUsPerRequest,
  total: reqPerSec * 10,
  errors: 0,
  non2xx: 0,
  statusCodes: { "200": reqPerSec * 10 },
});

describe("compare", () => {
  it("takes the median of each round's gateway/reference ratio, so a drift shared by both cancels", () => {
    // Both slow down round after round; the gateway is ahead in every round.
    const reference = summarize([run(10_000, 10, 50), run(9_000, 11, 52), run(8_000, 12, 54)], 70 * 2 ** 20);
    const gateway = summarize([run(10_500, 9, 45), run(9_400, 10, 47), run(7_900, 11, 56)], 90 * 2 ** 20);
    const report = compare("scenario", { name: "reference", summary: reference }, { name: "gateway", summary: gateway }, { minThroughputRatio: 1.0 });
    assert.equal(report.ratios.reqPerSec, 9_400 / 9_000);
    assert.equal(report.ratios.p99, 10 / 11);
    assert.equal(report.ratios.cpuPerRequest, 47 / 52);
    assert.deepEqual(report.checks, { throughput: true, p99: true, cpu: true, rss: true });
  });

  it("reports a miss against each target", () => {
    const reference = summarize([run(10_000, 10, 50)], 70 * 2 ** 20);
    const gateway = summarize([run(8_000, 12, 60)], 120 * 2 ** 20);
    assert.deepEqual(compare("scenario", { name: "reference", summary: reference }, { name: "gateway", summary: gateway }).checks, {
      throughput: false,
      p99: false,
      cpu: true,
      rss: false,
    });
    const targets = { minThroughputRatio: 0.5, maxP99Ratio: 1.5, maxCpuRatio: 1.0 };
    const checks = compare("scenario", { name: "reference", summary: reference }, { name: "gateway", summary: gateway }, targets).checks;
    assert.deepEqual(checks, { throughput: true, p99: true, cpu: false, rss: false });
  });
});

describe("compare with an RSS bound of its own", () => {
  it("checks the subject's peak RSS against it rather than the one-gateway target", () => {
    const one = summarize([run(10_000, 10, 50)], 90 * 2 ** 20);
    const two = summarize([run(10_000, 10, 50)], 250 * 2 ** 20);
    const check = (maxRssMb?: number) => compare("s", { name: "1 process", summary: one }, { name: "2 processes", summary: two }, { minThroughputRatio: 1, ...(maxRssMb === undefined ? {} : { maxRssMb }) });
    assert.equal(check().checks.rss, false);
    assert.equal(check(300).checks.rss, true);
    assert.match(formatTable([check(300)]), /2 processes RSS 250\.0 MB \(target <= 300 MB\) {2}PASS/);
  });
});

describe("columns", () => {
  it("pads the first columns on the right and the numbers on the left, under a rule", () => {
    assert.deepEqual(columns([["a", "bb", "c"], ["long", "1", "22"]], 1), ["a     bb   c", "----  --  --", "long   1  22"]);
  });
});

describe("formatScrape", () => {
  it("passes a median under 50 ms and misses one over it", () => {
    const scrape = { routes: 1000, samples: 40_000, bytes: 4_000_000, scrapes: 20 };
    assert.match(formatScrape({ ...scrape, medianMs: 49, maxMs: 80 }), /median 49\.0 ms.*PASS$/s);
    assert.match(formatScrape({ ...scrape, medianMs: 51, maxMs: 60 }), /MISS$/);
  });
});
