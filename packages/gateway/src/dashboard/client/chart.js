// A route's requests per second per deployment, drawn by uPlot (loaded by the page as a global).

import { colorOf } from "./colors.js";
import { clock, count, rate } from "./format.js";

const HEIGHT = 170;

/** uPlot, when the gateway has it (the page leaves it out otherwise). */
export const chartsAvailable = typeof globalThis.uPlot === "function";

/** @param {string} name a CSS custom property of the page */
function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

export class RouteChart {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {any} */
    this.plot = null;
    this.signature = "";
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  /**
   * @param {string[]} deployments the series, in order
   * @param {[number[], ...(number | null)[][]]} data
   */
  update(deployments, data) {
    if (!chartsAvailable) return;
    const signature = deployments.join("\n");
    if (this.plot === null || signature !== this.signature) {
      this.plot?.destroy();
      this.signature = signature;
      this.plot = new globalThis.uPlot(this.options(deployments), data, this.container);
    } else {
      this.plot.setData(data);
    }
    // Not hovering: the legend shows the latest second.
    if (!(this.plot.cursor.left >= 0)) this.plot.setLegend({ idx: null });
  }

  resize() {
    const width = Math.floor(this.container.clientWidth);
    if (this.plot !== null && width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  destroy() {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  /** @param {string[]} deployments */
  options(deployments) {
    const axis = cssVar("--muted");
    const grid = cssVar("--grid");
    const font = `11px ${cssVar("--sans")}`;
    return {
      width: Math.max(200, Math.floor(this.container.clientWidth)),
      height: HEIGHT,
      // Room above the top label and right of the last time, which uPlot centres on its tick.
      padding: [12, 28, 0, 0],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 7 } },
      scales: { y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, niceMax(max)] } },
      axes: [
        {
          stroke: axis,
          font,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid, width: 1, size: 4 },
          size: 28,
          space: 64,
          values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((t) => hhmmss(t)),
        },
        {
          stroke: axis,
          font,
          size: 46,
          space: 30,
          grid: { stroke: grid, width: 1 },
          ticks: { show: false },
          values: (/** @type {any} */ _u, /** @type {number[]} */ splits) => splits.map((v) => (Number.isInteger(v) ? count(v) : rate(v))),
        },
      ],
      series: [
        { label: "at", value: (/** @type {any} */ u, /** @type {number | null} */ t) => hhmmss(t ?? latest(u, 0)) },
        ...deployments.map((name) => ({
          label: name,
          stroke: colorOf(name),
          fill: `${colorOf(name)}1f`,
          width: 2,
          points: { show: false },
          value: (/** @type {any} */ u, /** @type {number | null} */ v, /** @type {number} */ i, /** @type {number | null} */ idx) => {
            const shown = idx == null ? latest(u, i) : v;
            return shown == null ? "—" : `${rate(shown)}/s`;
          },
        })),
      ],
    };
  }
}

/**
 * The last value of a series, for the legend while the cursor is elsewhere.
 * @param {any} u the plot
 * @param {number} i the series
 * @returns {number | null}
 */
function latest(u, i) {
  const values = u.data?.[i];
  return values && values.length > 0 ? values[values.length - 1] : null;
}

/** @param {number | null} t seconds since the epoch */
function hhmmss(t) {
  return t == null ? "—" : clock(t * 1000);
}

/** @param {number} max */
function niceMax(max) {
  if (!Number.isFinite(max) || max <= 0) return 5;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (max * 1.08 <= m * step) return m * step;
  return 10 * step;
}
