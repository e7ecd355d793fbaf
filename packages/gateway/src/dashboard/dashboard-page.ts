/**
 * The /_/dashboard page: a static shell. Everything it shows is fetched from /_/stats by its scripts
 * and written with textContent, never parsed as HTML, so no value from a service or a client can
 * become markup. Every URL is relative, so the page works on the admin port and behind a path prefix.
 */

export interface DashboardPageOptions {
  /** Where the page's assets are, relative to the page: "dashboard/". */
  assetsPrefix: string;
  /** uPlot was found: load it and draw the time series; without it the page shows numbers only. */
  charts: boolean;
}

/** The page's styles, one file a part of the page, in cascade order (after uPlot's). */
const STYLESHEETS = ["base.css", "top-bar.css", "gateway-tiles.css", "routes.css", "deployments-table.css", "shadow.css", "conflicts.css"];

export function dashboardHtml(options: DashboardPageOptions): string {
  const p = options.assetsPrefix;
  const uplot = options.charts
    ? `
    <link rel="stylesheet" href="${p}uplot/uPlot.min.css">
    <script defer src="${p}uplot/uPlot.iife.min.js"></script>`
    : "";
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>Switchyard: live dashboard</title>
    <link rel="icon" type="image/svg+xml" href="${p}favicon.svg">${uplot}
${STYLESHEETS.map((name) => `    <link rel="stylesheet" href="${p}${name}">
`).join("")}    <script type="module" src="${p}main.js"></script>
  </head>
  <body>
    <header class="topbar">
      <div class="brand"><img src="${p}favicon.svg" alt="" width="22" height="22"><span>Switchyard</span><span class="brand-sub">live dashboard</span></div>
      <div class="link-state" id="link-state" data-state="connecting" role="status" aria-live="polite">
        <span class="dot"></span><span class="link-label">Connecting…</span><span class="link-detail"></span>
      </div>
    </header>
    <div class="banner" id="banner" hidden></div>
    <main id="main" aria-busy="true">
      <section class="gateway" id="gateway" aria-label="Gateway"></section>
      <section aria-labelledby="routes-title">
        <h2 id="routes-title">Routes</h2>
        <div id="routes" class="routes"><p class="empty">Waiting for the first reading of /_/stats…</p></div>
      </section>
      <section aria-labelledby="shadow-title">
        <h2 id="shadow-title">Shadow comparisons</h2>
        <div id="shadow" class="shadow-list"></div>
      </section>
      <section aria-labelledby="conflicts-title">
        <h2 id="conflicts-title">Contract conflicts</h2>
        <div id="conflicts"></div>
      </section>
    </main>
    <noscript><p class="empty">The dashboard needs JavaScript; the same figures are at <a href="stats">/_/stats</a>.</p></noscript>
  </body>
</html>
`;
}

/**
 * Only the gateway's own files and /_/stats; no inline script or style (uPlot sizes its elements
 * through the CSSOM, which CSP allows), and Trusted Types so that no string can reach an HTML sink.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");
