// Instances whose contracts cannot be served together, as the gateway found them.

import { fill, h, whenChanged } from "./dom.js";

/**
 * @param {HTMLElement} el
 * @param {import("./stats.js").Conflict[]} conflicts
 */
export function renderConflicts(el, conflicts) {
  whenChanged(el, conflicts, () =>
    fill(
      el,
      conflicts.length === 0
        ? h("p", { class: "empty" }, "None: every live instance's contract agrees with what the gateway serves.")
        : h(
            "ul",
            { class: "conflicts" },
            conflicts.map((c) =>
              h(
                "li",
                { class: "conflict", "data-conflict": c.service },
                h("div", null, h("code", { class: "rpc" }, c.service)),
                h("p", null, c.reason),
                h("div", { class: "digests" }, "contracts ", (Array.isArray(c.digests) ? c.digests : []).map((d) => h("code", { title: String(d) }, String(d).slice(0, 12)))),
              ),
            ),
          ),
    ),
  );
}
