/**
 * The /docs page: Swagger UI from the swagger-ui-dist package, every asset served by the gateway
 * itself (no CDN), pointed at the gateway's own /openapi.json.
 */

import assets from "./swagger-ui-assets.json" with { type: "json" };

/** The swagger-ui-dist files the page loads; nothing else of the package is served. scripts/build.mjs copies the same list. */
export const SWAGGER_UI_ASSETS: readonly string[] = assets;

export function docsHtml(options: { title: string; assetsPrefix: string }): string {
  const { assetsPrefix: p } = options;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(options.title)}</title>
    <link rel="stylesheet" href="${p}swagger-ui.css">
    <link rel="icon" type="image/png" href="${p}favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="${p}favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${p}swagger-ui-bundle.js"></script>
    <script src="${p}swagger-initializer.js"></script>
  </body>
</html>
`;
}

/**
 * Starts Swagger UI on the document. validatorUrl: null keeps it from loading a badge from the
 * public validator; the plain layout has no top bar that would fetch arbitrary URLs.
 */
export function docsInitializer(options: { documentUrl: string }): string {
  const config = {
    url: options.documentUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    layout: "BaseLayout",
    displayOperationId: true,
    defaultModelsExpandDepth: 1,
  };
  return `window.addEventListener("load", function () {
  var config = ${JSON.stringify(config)};
  config.presets = [SwaggerUIBundle.presets.apis];
  window.ui = SwaggerUIBundle(config);
});
`;
}

/**
 * Only the gateway's own origin: scripts and styles from the files above, the document by fetch.
 * Swagger UI sets inline styles and shows data: images, hence those two allowances.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join("; ");

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
