// The gateway itself: its NATS connection, uptime, traffic policies, and the traffic it carries now.

import { fill, h, whenChanged } from "./dom.js";
import { count, duration, percent, rate } from "./format.js";

/**
 * @param {HTMLElement} el
 * @param {import("./stats.js").Stats} stats
 */
export function renderGateway(el, stats) {
  const g = stats.gateway;
  // Routes bound to one RPC share its figures: count each RPC once.
  const rpcs = new Map(stats.routes.map((r) => [r.rpc, r]));
  let rps = 0;
  let requests = 0;
  let errors = 0;
  for (const route of rpcs.values()) {
    for (const d of route.deployments) {
      rps += d.rps;
      requests += d.requests;
      errors += d.errors;
    }
  }
  const instances = new Set(stats.routes.flatMap((r) => r.instances.map((i) => i.id)));
  const served = stats.routes.filter((r) => r.instances.length > 0).length;
  const policies = g.trafficPolicies;
  const policyTone = policies === "loaded" ? "ok" : policies === "loading" ? "warn" : "bad";

  const shown = { g, rps: rate(rps), errors: percent(requests === 0 ? null : errors / requests, 2), instances: instances.size, served, routes: stats.routes.length };
  whenChanged(el, shown, () =>
    fill(
      el,
      tile("nats", "NATS", g.natsConnected ? "Connected" : "Disconnected", g.natsServer, g.natsConnected ? "ok" : "bad"),
      tile("uptime", "Gateway uptime", duration(g.uptimeSeconds), null),
      tile("policies", "Traffic policies", policies === "loaded" || policies === "loading" ? policies : "unavailable", policyTone === "bad" ? policies : null, policyTone),
      tile("rps", "Requests/s", shown.rps, "last minute, all routes"),
      tile("errors", "Error rate", shown.errors, requests === 0 ? "none in the last minute" : `${count(errors)} of ${count(requests)} requests`, errors > 0 ? "bad" : null),
      tile("routes", "Routes", `${served} / ${stats.routes.length}`, `served · ${count(instances.size)} instance${instances.size === 1 ? "" : "s"}`, served < stats.routes.length ? "warn" : null),
    ),
  );
}

/**
 * @param {string} key
 * @param {string} label
 * @param {string} value
 * @param {string | null} detail
 * @param {"ok" | "warn" | "bad" | null} [tone]
 */
function tile(key, label, value, detail, tone = null) {
  return h(
    "div",
    { class: `tile${tone ? ` tone-${tone}` : ""}`, "data-gateway": key },
    h("div", { class: "tile-label" }, label),
    h("div", { class: "tile-value" }, tone ? h("span", { class: "dot", "aria-hidden": "true" }) : null, h("span", { class: "tile-text" }, value)),
    detail ? h("div", { class: "tile-detail", title: detail }, detail) : null,
  );
}
