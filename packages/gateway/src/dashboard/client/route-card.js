// One route's card: method, path and RPC with their policy and shadow tags, the deployments table,
// and a chart of requests per second by deployment.

import { RouteChart, chartsAvailable } from "./chart.js";
import { deploymentsTable } from "./deployments-table.js";
import { fill, h, whenChanged } from "./dom.js";
import { count } from "./format.js";
import { RouteHistory } from "./history.js";

/** One route's card: its head, its deployments table beside its chart, and a note. */
export class RouteCard {
  /** @param {string} key "METHOD /path" */
  constructor(key) {
    this.history = new RouteHistory();
    this.head = h("header", { class: "route-head" });
    this.table = h("div", { class: "deployments" });
    this.chartBox = h("div", { class: "chart-box" });
    this.chartPanel = h("div", { class: "route-chart", hidden: true }, h("div", { class: "panel-title" }, "Requests/s by deployment"), this.chartBox);
    this.chartNote = h(
      "p",
      { class: "chart-note" },
      chartsAvailable ? "No requests yet: the chart starts with the first one." : "No chart: this gateway was installed without uPlot.",
    );
    this.body = h("div", { class: "route-body" }, this.table, this.chartPanel, this.chartNote);
    this.note = h("p", { class: "route-note" });
    this.el = h("article", { class: "route", "data-route": key }, this.head, this.body, this.note);
    /** @type {RouteChart | null} */
    this.chart = null;
  }

  /**
   * @param {import("./stats.js").RouteView} route
   * @param {number} nowSecond
   */
  update(route, nowSecond) {
    const idle = route.instances.length === 0 && route.deployments.length === 0;
    this.el.classList.toggle("idle", idle);
    this.renderHead(route);
    this.body.hidden = idle;
    this.renderNote(route, idle);
    if (idle) return;
    this.history.merge(nowSecond, route.deployments);
    this.renderTable(route);
    this.renderChart(route);
  }

  destroy() {
    this.chart?.destroy();
    this.chart = null;
  }

  /** @param {import("./stats.js").RouteView} route */
  renderHead(route) {
    const shown = [route.method, route.path, route.rpc, route.policyRevision, route.shadow];
    whenChanged(this.head, shown, () =>
      fill(
        this.head,
        h("span", { class: `method method-${route.method.toLowerCase()}` }, route.method),
        h("code", { class: "path" }, route.path),
        h("code", { class: "rpc", title: `RPC ${route.rpc}` }, route.rpc),
        h(
          "span",
          { class: "tags" },
          route.policyRevision === null
            ? h("span", { class: "chip", "data-tag": "policy", title: "No traffic policy: NATS's queue group picks among all instances" }, "no policy")
            : h("span", { class: "chip chip-policy", "data-tag": "policy", title: "The traffic policy revision in force" }, `policy r${route.policyRevision}`),
          route.shadow === null
            ? null
            : h("span", { class: "chip chip-shadow", "data-tag": "shadow", title: "Sampled requests are copied to this deployment and its replies compared" }, "shadow → ", h("strong", null, route.shadow)),
        ),
      ),
    );
  }

  /**
   * @param {import("./stats.js").RouteView} route
   * @param {boolean} idle
   */
  renderNote(route, idle) {
    const text = idle
      ? "No live instance serves this route: requests get 503 NO_SERVICE."
      : route.unattributed > 0
        ? `${count(route.unattributed)} request${route.unattributed === 1 ? "" : "s"} of the last minute got no answer from any deployment (timeouts, no responders).`
        : "";
    whenChanged(this.note, text, () => fill(this.note, text));
    this.note.hidden = text === "";
  }

  /** @param {import("./stats.js").RouteView} route */
  renderTable(route) {
    const shown = { route: route.deployments.map(({ series: _series, ...rest }) => rest), instances: route.instances.map(({ requests: _r, errors: _e, averageProcessingMs: _a, ...rest }) => rest), shadow: route.shadow };
    whenChanged(this.table, shown, () => fill(this.table, ...deploymentsTable(route)));
  }

  /** @param {import("./stats.js").RouteView} route */
  renderChart(route) {
    // A route without requests in view gets a note where its chart would be.
    const busy = chartsAvailable && this.history.busy && route.deployments.length > 0;
    this.chartPanel.hidden = !busy;
    this.chartNote.hidden = busy;
    if (!busy) return;
    const names = route.deployments.map((d) => d.deployment);
    this.chart ??= new RouteChart(this.chartBox);
    this.chart.update(names, this.history.data(names));
  }
}
