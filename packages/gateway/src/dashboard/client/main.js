// The dashboard: reads /_/stats about every second and updates the page in place.

import { renderConflicts } from "./conflicts-view.js";
import { renderGateway } from "./gateway-view.js";
import { LinkView } from "./link-view.js";
import { startPolling } from "./poll.js";
import { RoutesView } from "./routes-view.js";
import { ShadowView } from "./shadow-view.js";
import { readStats } from "./stats.js";

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
}

const link = new LinkView(byId("link-state"), byId("banner"), byId("main"));
const gateway = byId("gateway");
const routes = new RoutesView(byId("routes"));
const shadow = new ShadowView(byId("shadow"));
const conflicts = byId("conflicts");

startPolling({
  // Relative: /_/stats from /_/dashboard, on whichever port and behind whichever prefix the page is.
  url: new URL("stats", document.baseURI),
  intervalMs: 1000,
  hiddenIntervalMs: 5000,
  timeoutMs: 4000,
  onReply(body) {
    const stats = readStats(body);
    if (stats instanceof Error) {
      link.failed(stats.message);
      return;
    }
    link.live(stats);
    renderGateway(gateway, stats);
    routes.render(stats);
    shadow.render(stats.shadow);
    renderConflicts(conflicts, stats.conflicts);
  },
  onFailure(reason) {
    link.failed(reason);
  },
});
