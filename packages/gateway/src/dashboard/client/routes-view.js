// Every route, grouped by contract service: its deployments with their instances and traffic, the
// weight each should get against the share it got, and a chart of requests per second.

import { RouteChart, chartsAvailable } from "./chart.js";
import { colorOf } from "./colors.js";
import { arrange, fill, h, setVar, whenChanged } from "./dom.js";
import { count, duration, ms, percent, rate, shortId } from "./format.js";
import { RouteHistory } from "./history.js";

/** Instances listed under a deployment; the rest are counted. */
const INSTANCES_SHOWN = 4;

export class RoutesView {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    /** @type {Map<string, ServiceGroup>} */
    this.groups = new Map();
    /** @type {Map<string, RouteCard>} */
    this.cards = new Map();
    this.empty = h(
      "div",
      { class: "empty" },
      h("p", null, h("strong", null, "This gateway serves no routes."), " Routes come from the contracts it was built with; with ACCEPT_SERVICE_CONTRACTS=true, those of a service carrying its own contract appear when it joins."),
    );
  }

  /** @param {import("./stats.js").Stats} stats */
  render(stats) {
    const nowSecond = Math.floor(Date.parse(stats.at) / 1000);
    /** @type {Map<string, import("./stats.js").RouteView[]>} */
    const byService = new Map();
    for (const route of stats.routes) {
      const service = serviceOf(route.rpc);
      byService.set(service, [...(byService.get(service) ?? []), route]);
    }

    const seen = new Set();
    /** @type {Node[]} */
    const groups = [];
    for (const [service, routes] of byService) {
      let group = this.groups.get(service);
      if (group === undefined) this.groups.set(service, (group = new ServiceGroup(service)));
      /** @type {Node[]} */
      const cards = [];
      for (const route of routes) {
        const key = `${route.method} ${route.path}`;
        seen.add(key);
        let card = this.cards.get(key);
        if (card === undefined) this.cards.set(key, (card = new RouteCard(key)));
        card.update(route, nowSecond);
        cards.push(card.el);
      }
      group.update(routes, cards);
      groups.push(group.el);
    }
    for (const [key, card] of this.cards) {
      if (!seen.has(key)) {
        card.destroy();
        this.cards.delete(key);
      }
    }
    for (const service of this.groups.keys()) if (!byService.has(service)) this.groups.delete(service);
    arrange(this.el, groups.length === 0 ? [this.empty] : groups);
  }
}

class ServiceGroup {
  /** @param {string} service */
  constructor(service) {
    this.head = h("div", { class: "service-head" });
    this.list = h("div", { class: "service-routes" });
    this.el = h("section", { class: "service", "data-service": service }, this.head, this.list);
    this.service = service;
  }

  /**
   * @param {import("./stats.js").RouteView[]} routes
   * @param {Node[]} cards
   */
  update(routes, cards) {
    const instances = new Set(routes.flatMap((r) => r.instances.map((i) => i.id)));
    const deployments = new Set(routes.flatMap((r) => r.deployments.map((d) => d.deployment)));
    const shown = [this.service, routes.length, instances.size, deployments.size];
    whenChanged(this.head, shown, () =>
      fill(
        this.head,
        h("h3", null, this.service),
        h(
          "span",
          { class: "muted" },
          `${routes.length} route${routes.length === 1 ? "" : "s"} · `,
          instances.size === 0 ? h("span", { class: "warn-text" }, "no live instance") : `${instances.size} instance${instances.size === 1 ? "" : "s"}`,
          deployments.size > 0 ? ` · ${deployments.size} deployment${deployments.size === 1 ? "" : "s"}` : "",
        ),
      ),
    );
    arrange(this.list, cards);
  }
}

class RouteCard {
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
    /** @type {Map<string, import("./stats.js").InstanceView[]>} */
    const instances = new Map();
    for (const instance of route.instances) instances.set(instance.deployment, [...(instances.get(instance.deployment) ?? []), instance]);
    const named = new Set(route.deployments.map((d) => d.deployment));
    const unnamed = route.instances.filter((i) => !named.has(i.deployment));
    const shown = { route: route.deployments.map(({ series: _series, ...rest }) => rest), instances: route.instances.map(({ requests: _r, errors: _e, averageProcessingMs: _a, ...rest }) => rest), shadow: route.shadow };
    whenChanged(this.table, shown, () =>
      fill(
        this.table,
        h(
          "table",
          { class: "dtable" },
          h(
            "colgroup",
            null,
            ["dep", "rps", "errors", "p50", "p99", "split", "fallbacks"].map((name) => h("col", { class: `col-${name}` })),
          ),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, "Deployment"),
              h("th", { scope: "col", class: "num" }, "Req/s"),
              h("th", { scope: "col", class: "num" }, "Errors"),
              h("th", { scope: "col", class: "num" }, "p50"),
              h("th", { scope: "col", class: "num" }, "p99"),
              h("th", { scope: "col", class: "split-col" }, "Weight vs share"),
              h("th", { scope: "col", class: "num", title: "Requests sent to the deployment that found no instance of it and went to the shared queue group, since the gateway started" }, "Fallbacks"),
            ),
          ),
          h(
            "tbody",
            null,
            route.deployments.map((d) => deploymentRow(d, instances.get(d.deployment) ?? [], route.shadow === d.deployment)),
            unnamed.length > 0 ? unnamedRow(unnamed) : null,
          ),
        ),
        h("p", { class: "table-foot" }, "Req/s, errors and latency over the last minute, through this gateway."),
      ),
    );
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

/**
 * @param {import("./stats.js").DeploymentView} d
 * @param {import("./stats.js").InstanceView[]} instances
 * @param {boolean} shadow
 */
function deploymentRow(d, instances, shadow) {
  const row = h(
    "tr",
    { "data-deployment": d.deployment },
    h(
      "td",
      { class: "dep" },
      h(
        "div",
        { class: "dep-name" },
        h("span", { class: "swatch", "aria-hidden": "true" }),
        h("strong", null, d.deployment),
        shadow ? h("span", { class: "chip chip-shadow small" }, "shadow") : null,
      ),
      instanceList(instances),
    ),
    h(
      "td",
      { class: "num", "data-label": "Req/s" },
      stat("rps", d.rps, rate(d.rps)),
      h("div", { class: "sub", title: "Requests in the last minute" }, stat("requests", d.requests, count(d.requests)), " req"),
    ),
    h(
      "td",
      { class: `num${d.errors > 0 ? " bad-text" : ""}`, "data-label": "Errors" },
      stat("errorRate", d.errorRate, d.requests === 0 ? "—" : percent(d.errorRate, 2)),
      h("div", { class: "sub", title: "Errors in the last minute: what the client sees as a 5xx" }, stat("errors", d.errors, count(d.errors)), " err"),
    ),
    h("td", { class: "num", "data-label": "p50" }, stat("p50", d.p50Ms, ms(d.p50Ms))),
    h("td", { class: "num", "data-label": "p99" }, stat("p99", d.p99Ms, ms(d.p99Ms))),
    h("td", { class: "split-col", "data-label": "Weight vs share" }, split(d)),
    h("td", { class: `num${d.fallbacks > 0 ? " warn-text" : ""}`, "data-label": "Fallbacks" }, stat("fallbacks", d.fallbacks, count(d.fallbacks))),
  );
  setVar(row, "--c", colorOf(d.deployment));
  return row;
}

/**
 * The weight the policy gives a deployment above the share of requests it answered: two bars.
 * @param {import("./stats.js").DeploymentView} d
 */
function split(d) {
  const weightTitle =
    d.weight === null ? "No weights in force: the shared queue group spreads requests" : `Weight ${d.weight} (${percent(d.weightShare)} of the weights)`;
  return h(
    "div",
    { class: "split" },
    bar("weight", d.weightShare, d.weightShare === null ? "—" : percent(d.weightShare), weightTitle),
    bar("share", d.share, percent(d.share), `Answered ${percent(d.share)} of this RPC's requests over the last minute`),
  );
}

/**
 * @param {"weight" | "share"} kind
 * @param {number | null} fraction
 * @param {string} text
 * @param {string} title
 */
function bar(kind, fraction, text, title) {
  const fillEl = h("span", { class: "bar-fill" });
  setVar(fillEl, "--f", String(Math.max(0, Math.min(1, fraction ?? 0))));
  return h(
    "div",
    { class: `bar-row bar-${kind}`, title },
    h("span", { class: "bar-label" }, kind),
    h("span", { class: "bar", "aria-hidden": "true" }, fillEl),
    stat(kind, fraction, text, "bar-value"),
  );
}

/**
 * A figure, with its raw value for whoever reads the page by machine.
 * @param {string} name
 * @param {number | null} value
 * @param {string} text
 * @param {string} [className]
 */
function stat(name, value, text, className = "value") {
  return h("span", { class: className, "data-stat": name, "data-value": value === null ? "" : String(value) }, text);
}

/** @param {import("./stats.js").InstanceView[]} instances */
function instanceList(instances) {
  if (instances.length === 0) return h("div", { class: "instances none" }, "no live instance");
  const shown = instances.slice(0, INSTANCES_SHOWN);
  return h(
    "ul",
    { class: "instances" },
    shown.map((i) =>
      h(
        "li",
        { "data-instance": i.id, title: `${i.service} ${i.version} (${i.language}), instance ${i.id}${i.natsServer ? ` on nats-server ${i.natsServer}` : ""}` },
        h("span", { class: "seg" }, h("span", { class: "lang" }, i.language), ` ${i.version}`),
        " ",
        h("span", { class: "seg muted" }, `· up ${duration(i.uptimeSeconds)}`),
        " ",
        h("span", { class: "seg muted" }, "· ", h("code", null, shortId(i.id))),
      ),
    ),
    instances.length > shown.length ? h("li", { class: "muted" }, `and ${instances.length - shown.length} more`) : null,
  );
}

/** @param {import("./stats.js").InstanceView[]} instances */
function unnamedRow(instances) {
  return h(
    "tr",
    { class: "unnamed" },
    h(
      "td",
      { class: "dep" },
      h("div", { class: "dep-name" }, h("strong", null, "(no deployment)")),
      instanceList(instances),
    ),
    h("td", { colspan: 6, class: "muted", "data-label": "" }, "Instances from an SDK that names no deployment: they take requests from the shared queue group only."),
  );
}

/** @param {string} rpc "users.v1.UserService.Ping" */
function serviceOf(rpc) {
  const dot = rpc.lastIndexOf(".");
  return dot === -1 ? rpc : rpc.slice(0, dot);
}
