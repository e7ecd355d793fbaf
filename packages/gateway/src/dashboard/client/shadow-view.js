// Shadow comparisons: how often a candidate deployment answers differently from the primary, in
// which fields, and the latest pair of replies that differed.

import { arrange, fill, h, setVar, whenChanged } from "./dom.js";
import { clock, count, percent } from "./format.js";
import { jsonView } from "./json-view.js";

export class ShadowView {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    /** @type {Map<string, ShadowCard>} */
    this.cards = new Map();
    this.empty = h(
      "p",
      { class: "empty" },
      "No shadow comparisons yet. A traffic policy's ",
      h("code", null, "shadow"),
      " copies sampled requests to a candidate deployment and compares its replies with the primary's.",
    );
  }

  /** @param {import("./stats.js").ShadowView[]} reports */
  render(reports) {
    const seen = new Set();
    const nodes = reports.map((report) => {
      const key = `${report.rpc} ${report.shadow}`;
      seen.add(key);
      let card = this.cards.get(key);
      if (card === undefined) this.cards.set(key, (card = new ShadowCard(key)));
      card.update(report);
      return card.el;
    });
    for (const key of this.cards.keys()) if (!seen.has(key)) this.cards.delete(key);
    arrange(this.el, nodes.length === 0 ? [this.empty] : nodes);
  }
}

class ShadowCard {
  /** @param {string} key */
  constructor(key) {
    this.summary = h("div", { class: "shadow-summary" });
    this.fields = h("div", { class: "shadow-fields" });
    this.pairTitle = h("summary");
    this.pairBody = h("div", { class: "pair" });
    // Open at first; an operator who closes it keeps it closed across readings.
    this.pair = h("details", { class: "pair-box", open: true }, this.pairTitle, this.pairBody);
    this.el = h("article", { class: "shadow-card", "data-shadow": key }, this.summary, this.fields, this.pair);
  }

  /** @param {import("./stats.js").ShadowView} r */
  update(r) {
    const rate = r.compared === 0 ? null : r.mismatchRate;
    const tone = rate === null ? "" : rate === 0 ? "ok" : rate < 0.01 ? "warn" : "bad";
    whenChanged(this.summary, [r.rpc, r.shadow, r.sent, r.compared, r.mismatches, rate], () => {
      const meter = h("span", { class: "bar-fill" });
      setVar(meter, "--f", String(rate ?? 0));
      fill(
        this.summary,
        h("div", { class: "shadow-title" }, h("code", { class: "rpc" }, r.rpc), h("span", { class: "chip chip-shadow" }, "shadow → ", h("strong", null, r.shadow))),
        h(
          "div",
          { class: "shadow-figures" },
          figure("Compared", "compared", r.compared, count(r.compared), `of ${count(r.sent)} sent`),
          figure("Mismatches", "mismatches", r.mismatches, count(r.mismatches), null),
          h(
            "div",
            { class: `figure tone-${tone || "none"}` },
            h("div", { class: "figure-label" }, "Mismatch rate"),
            h("div", { class: "figure-value" }, h("span", { "data-stat": "mismatchRate", "data-value": rate === null ? "" : String(rate) }, percent(rate, 2))),
            h("span", { class: "meter", "aria-hidden": "true" }, meter),
          ),
        ),
      );
    });

    whenChanged(this.fields, r.fields, () =>
      fill(
        this.fields,
        r.fields.length === 0
          ? h("span", { class: "muted" }, r.compared === 0 ? "Nothing compared yet." : "No field differs.")
          : [
              h("span", { class: "fields-label" }, "Differing fields"),
              r.fields.map((f) => h("span", { class: "field-chip", "data-field": f.field }, h("code", null, f.field), h("span", { class: "muted" }, ` ×${count(f.mismatches)}`))),
            ],
      ),
    );

    const pair = r.latestMismatch;
    this.pair.hidden = pair === null;
    if (pair === null) return;
    whenChanged(this.pairBody, [pair.at, pair.requestId], () => {
      fill(this.pairTitle, "Latest mismatch ", h("span", { class: "muted" }, `· ${clock(pair.at)} · request `), h("code", { class: "muted" }, pair.requestId));
      fill(
        this.pairBody,
        pane("Request", null, jsonView(pair.request)),
        pane("Primary", pair.primary.deployment, shownReply(pair.primary, pair.fields)),
        pane("Shadow", pair.shadow.deployment, shownReply(pair.shadow, pair.fields)),
      );
    });
  }
}

/**
 * @param {string} label
 * @param {string} stat
 * @param {number} value
 * @param {string} text
 * @param {string | null} detail
 */
function figure(label, stat, value, text, detail) {
  return h(
    "div",
    { class: "figure" },
    h("div", { class: "figure-label" }, label),
    h("div", { class: "figure-value" }, h("span", { "data-stat": stat, "data-value": String(value) }, text)),
    detail === null ? null : h("div", { class: "figure-detail" }, detail),
  );
}

/**
 * @param {string} label
 * @param {string | null} deployment
 * @param {Node} content
 */
function pane(label, deployment, content) {
  return h(
    "div",
    { class: "pane", "data-pane": label.toLowerCase() },
    h("div", { class: "pane-title" }, label, deployment === null ? null : h("span", { class: "muted" }, ` · ${deployment}`)),
    h("pre", { class: "json" }, content),
  );
}

/**
 * @param {import("./stats.js").ShownReply} reply
 * @param {string[]} fields
 */
function shownReply(reply, fields) {
  if (reply.status === "ok") return jsonView(reply.reply, fields);
  const out = document.createDocumentFragment();
  out.append(h("span", { class: "bad-text" }, `error ${reply.code ?? "UNKNOWN"}`), reply.field ? ` (field ${reply.field})` : "");
  return out;
}
