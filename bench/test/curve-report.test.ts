import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { curvePoint, formatCurve, growthCheck, rssCheck, throughputCheck, type CurveReport } from "../src/curve-report.js";
import { summarize, type MeasuredRun } from "../src/report.js";

const run = (reqPerSec: number, p50Ms: number, p99Ms: number, cpuUsPerRequest: number): MeasuredRun => ({
  reqPerSec,
  p50Ms,
  p99Ms,
  cpuUsPerRequest,
  total: reqPerSec * 5,
  errors: 0,
  non2xx: 0,
  statusCodes: { "200": reqPerSec * 5 },
});

/** A point where the gateway serves `ratio` times the reference's 10,000 req/s in each of two rounds. */
const point = (label: string, ratio: number, gatewayRssMb = 90) =>
  curvePoint(label, "GET /r0/bench", 50, {
    baseline: { name: "reference", summary: summarize([run(10_000, 4, 10, 60), run(9_000, 5, 12, 62)], 70 * 2 ** 20) },
    subject: { name: "gateway", summary: summarize([run(10_000 * ratio, 4.4, 11, 66), run(9_000 * ratio, 5, 12, 62)], gatewayRssMb * 2 ** 20) },
  });

describe("curvePoint", () => {
  it("takes each ratio as the median of the rounds' ratios", () => {
    const p = point("1", 0.9);
    assert.ok(Math.abs(p.ratios.reqPerSec - 0.9) < 1e-9);
    assert.equal(p.ratios.p50, (4.4 / 4 + 1) / 2);
    assert.equal(p.ratios.p99, (1.1 + 1) / 2);
    assert.equal(p.ratios.cpuPerRequest, (1.1 + 1) / 2);
    assert.equal(p.subject.summary.peakRssMb, 90);
  });
});

describe("curve checks", () => {
  const points = [point("1", 1.0), point("100", 0.97), point("1000", 0.94, 160)];

  it("compares a point's ratio with the first point's, so the reference's drift divides out", () => {
    assert.deepEqual(growthCheck(points, "1", "100", 0.95), { what: "100: req/s ratio 0.970x that at 1 (target >= 0.95x)", ok: true });
    assert.equal(growthCheck(points, "1", "1000", 0.95).ok, false);
  });

  it("checks a point's req/s against the reference's and its RSS against a bound", () => {
    assert.deepEqual(throughputCheck(points, "100", 1.0), { what: "100: req/s 0.970x reference's (target >= 1x)", ok: false });
    assert.deepEqual(rssCheck(points, "1", 100), { what: "1: gateway peak RSS 90.0 MB (target <= 100 MB)", ok: true });
    assert.equal(rssCheck(points, "1000", 150).ok, false);
  });

  it("refuses a point the curve does not have", () => {
    assert.throws(() => rssCheck(points, "10", 100), /no point 10/);
  });
});

describe("formatCurve", () => {
  it("prints a row per point, both sides' medians and the ratios, then the checks", () => {
    const points = [point("1", 1.0), point("1000", 0.94)];
    const curve: CurveReport = { curve: "routes", axis: "RPCs served", about: "GET /r<n-1>/bench", points, checks: [growthCheck(points, "1", "1000", 0.95)] };
    const lines = formatCurve(curve).split("\n");
    assert.equal(lines[0], "routes: GET /r<n-1>/bench");
    assert.match(lines[2]!, /^ {2}RPCs served +req\/s x +req\/s +p50 ms +p99 x +p99 ms +CPU x +CPU µs\/req +peak RSS MB$/);
    assert.match(lines[4]!, /^ {2}1 +1\.000x +9500 \/ 9500 +4\.70 \/ 4\.50 +1\.050x +11\.50 \/ 11\.00 +1\.050x +64\.0 \/ 61\.0 +90\.0 \/ 70\.0$/);
    assert.match(lines[5]!, /^ {2}1000 +0\.940x +8930 \/ 9500 /);
    assert.equal(lines[6], "  1000: req/s ratio 0.940x that at 1 (target >= 0.95x)  MISS");
  });
});
