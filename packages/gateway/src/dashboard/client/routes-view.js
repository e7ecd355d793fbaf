// Every route, grouped by contract service: a head per service (its instances and deployments), then
// one card per route (route-card.js).

import { arrange, fill, h, whenChanged } from "./dom.js";
import { RouteCard } from "./route-card.js";

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

/** @param {string} rpc "users.v1.UserService.Ping" */
function serviceOf(rpc) {
  const dot = rpc.lastIndexOf(".");
  return dot === -1 ? rpc : rpc.slice(0, dot);
}
