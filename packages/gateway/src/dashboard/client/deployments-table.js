// A route's deployments table: per deployment its figures over the last minute, its instances, and
// the weight the policy gives it against the share of requests it answered.

import { colorOf } from "./colors.js";
import { h, setVar } from "./dom.js";
import { count, duration, ms, percent, rate, shortId } from "./format.js";

/** Instances listed under a deployment; the rest are counted. */
const INSTANCES_SHOWN = 4;

/**
 * The table and its foot note.
 * @param {import("./stats.js").RouteView} route
 * @returns {HTMLElement[]}
 */
export function deploymentsTable(route) {
  /** @type {Map<string, import("./stats.js").InstanceView[]>} */
  const instances = new Map();
  for (const instance of route.instances) instances.set(instance.deployment, [...(instances.get(instance.deployment) ?? []), instance]);
  const named = new Set(route.deployments.map((d) => d.deployment));
  const unnamed = route.instances.filter((i) => !named.has(i.deployment));
  return [
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
  ];
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
