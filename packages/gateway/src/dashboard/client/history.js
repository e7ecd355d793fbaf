// Requests per second per deployment of one route, kept in the browser beyond the minute that each
// reading of /_/stats carries, so that the chart grows while the page stays open.

/** How far back the chart reaches. */
const KEEP_SECONDS = 15 * 60;

export class RouteHistory {
  constructor() {
    /** @type {Set<number>} the seconds some reading covered: a missing value there is a 0, elsewhere a gap */
    this.covered = new Set();
    /** @type {Map<string, Map<number, number>>} deployment → second → requests */
    this.values = new Map();
  }

  /**
   * Takes a reading's last minute. The reading is the authority on the seconds it covers; its last
   * slot is the current, unfinished second, left out until a later reading completes it.
   * @param {number} nowSecond the reading's time, in whole seconds
   * @param {{ deployment: string, series?: { requests: number[] } }[]} deployments
   */
  merge(nowSecond, deployments) {
    for (const d of deployments) {
      const requests = d.series?.requests;
      if (!Array.isArray(requests)) continue;
      let mine = this.values.get(d.deployment);
      if (mine === undefined) this.values.set(d.deployment, (mine = new Map()));
      const n = requests.length;
      for (let i = 0; i < n - 1; i++) {
        const v = requests[i];
        if (typeof v === "number") mine.set(nowSecond - (n - 1) + i, v);
      }
      for (let i = 0; i < n - 1; i++) this.covered.add(nowSecond - (n - 1) + i);
    }
    const oldest = nowSecond - KEEP_SECONDS;
    for (const second of this.covered) if (second < oldest) this.covered.delete(second);
    for (const mine of this.values.values()) for (const second of mine.keys()) if (second < oldest) mine.delete(second);
  }

  /** True when any kept second has a request. */
  get busy() {
    for (const mine of this.values.values()) for (const v of mine.values()) if (v > 0) return true;
    return false;
  }

  /**
   * uPlot's data: the seconds from the first covered one to the last, and one row per deployment.
   * @param {string[]} deployments
   * @returns {[number[], ...(number | null)[][]]}
   */
  data(deployments) {
    if (this.covered.size === 0) return [[], ...deployments.map(() => [])];
    let first = Infinity;
    let last = -Infinity;
    for (const second of this.covered) {
      if (second < first) first = second;
      if (second > last) last = second;
    }
    /** @type {number[]} */
    const xs = [];
    for (let s = first; s <= last; s++) xs.push(s);
    const rows = deployments.map((name) => {
      const mine = this.values.get(name);
      return xs.map((s) => (this.covered.has(s) ? (mine?.get(s) ?? 0) : null));
    });
    return [xs, ...rows];
  }
}
