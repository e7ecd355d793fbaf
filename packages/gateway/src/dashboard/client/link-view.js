// Whether the page is getting readings: the badge in the top bar, and a banner while it is not, or
// while the gateway has lost NATS.

import { fill, h } from "./dom.js";
import { clock } from "./format.js";

export class LinkView {
  /**
   * @param {HTMLElement} badge
   * @param {HTMLElement} banner
   * @param {HTMLElement} main
   */
  constructor(badge, banner, main) {
    this.badge = badge;
    this.banner = banner;
    this.main = main;
    /** @type {Date | null} */
    this.lastReading = null;
    /** @type {Date | null} */
    this.failingSince = null;
  }

  /** @param {import("./stats.js").Stats} stats */
  live(stats) {
    this.lastReading = new Date();
    this.failingSince = null;
    this.set("live", "Live", `updated ${clock(this.lastReading)}`);
    this.main.classList.remove("stale");
    this.main.removeAttribute("aria-busy");
    if (!stats.gateway.natsConnected) {
      this.show("bad", h("strong", null, "The gateway is not connected to NATS. "), "Every request it gets is answered 503 until it reconnects; it keeps trying.");
    } else {
      this.hide();
    }
  }

  /** @param {string} reason */
  failed(reason) {
    this.failingSince ??= new Date();
    this.set("disconnected", "Disconnected", "retrying…");
    this.main.classList.toggle("stale", this.lastReading !== null);
    this.show(
      "bad",
      h("strong", null, "No reading from the gateway"),
      ` since ${clock(this.failingSince)} (${reason}). Retrying every second`,
      this.lastReading === null ? "." : `; the figures below are from ${clock(this.lastReading)}.`,
    );
  }

  /**
   * @param {"live" | "disconnected"} state
   * @param {string} label
   * @param {string} detail
   */
  set(state, label, detail) {
    this.badge.dataset.state = state;
    const [labelEl, detailEl] = [this.badge.querySelector(".link-label"), this.badge.querySelector(".link-detail")];
    if (labelEl) labelEl.textContent = label;
    if (detailEl) detailEl.textContent = detail;
  }

  /**
   * @param {"bad" | "warn"} tone
   * @param {...import("./dom.js").Child} content
   */
  show(tone, ...content) {
    this.banner.className = `banner tone-${tone}`;
    fill(this.banner, ...content);
    this.banner.hidden = false;
  }

  hide() {
    this.banner.hidden = true;
  }
}
