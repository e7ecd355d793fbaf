import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { GatewayError } from "../errors.js";
import { DOCS_CSP, docsHtml, docsInitializer, SWAGGER_UI_ASSETS } from "./docs-page.js";
import type { OpenApiDocument } from "./openapi-types.js";

export const OPENAPI_PATH = "/openapi.json";
export const DOCS_PATH = "/docs";

export interface DocsPluginOptions {
  /**
   * The document, asked for on every GET /openapi.json: return the same object until the routes
   * change (openApiSource does), and it is serialized once per object.
   */
  document: () => OpenApiDocument;
  /** The page title; the document's info.title by default. */
  title?: string;
  /** Where Swagger UI's files are; found by findSwaggerUi() when not given. */
  assetsDir?: string;
}

/** True for the paths this plugin serves, which no contract route may take. */
export function isDocsPath(path: string): boolean {
  return path === OPENAPI_PATH || path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`);
}

const assets = new Set<string>(SWAGGER_UI_ASSETS.map((name) => `/${name}`));

/**
 * The folder with Swagger UI's files: `assetsDir` when given, else `swagger-ui/` beside this module
 * (where a bundle such as dist/gateway.mjs should have them copied), else the swagger-ui-dist package,
 * found without loading its index (which would pull its 1.5 MB bundle into Node).
 */
export function findSwaggerUi(assetsDir?: string): string | undefined {
  const candidates = assetsDir === undefined ? [join(dirname(fileURLToPath(import.meta.url)), "swagger-ui")] : [assetsDir];
  if (assetsDir === undefined) {
    try {
      candidates.push(dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json")));
    } catch {
      // not installed: only a copied folder will do
    }
  }
  return candidates.find((dir) => SWAGGER_UI_ASSETS.every((name) => existsSync(join(dir, name))));
}

/**
 * GET /openapi.json and GET /docs (Swagger UI, with its assets under /docs/). Encapsulated: register
 * it with `app.register(docsPlugin, { document })`; the app's error and not-found handlers apply.
 */
export const docsPlugin: FastifyPluginAsync<DocsPluginOptions> = async (app, options) => {
  // Built now, so a document that cannot be built stops the start-up rather than the first request.
  const first = options.document();
  const title = options.title ?? `${first.info.title}: API docs`;
  let serialized: { document: OpenApiDocument; json: string } | undefined;

  app.get(OPENAPI_PATH, async (_request, reply) => {
    const document = options.document();
    if (serialized?.document !== document) serialized = { document, json: JSON.stringify(document) };
    return reply.type("application/json; charset=utf-8").header("cache-control", "no-cache").send(serialized.json);
  });

  const root = findSwaggerUi(options.assetsDir);
  if (root === undefined) {
    // The document still serves; a missing UI must not stop the gateway.
    app.log.warn("Swagger UI's files (swagger-ui-dist) were not found: /docs answers 404");
    app.get(DOCS_PATH, async () => {
      throw new GatewayError("ROUTE_NOT_FOUND", "the docs UI is not installed here; the document is at /openapi.json");
    });
    return;
  }

  const page = docsHtml({ title, assetsPrefix: `${DOCS_PATH}/` });
  const initializer = docsInitializer({ documentUrl: OPENAPI_PATH });
  const sendPage = async (_request: unknown, reply: FastifyReply) =>
    reply.type("text/html; charset=utf-8").header("content-security-policy", DOCS_CSP).send(page);
  app.get(DOCS_PATH, sendPage);
  app.get(`${DOCS_PATH}/`, sendPage);
  app.get(`${DOCS_PATH}/swagger-initializer.js`, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(initializer),
  );

  await app.register(fastifyStatic, {
    root,
    prefix: `${DOCS_PATH}/`,
    decorateReply: false,
    index: false,
    // Only the files the page loads: not the package's own index.html, which points at a public demo.
    allowedPath: (pathName) => assets.has(pathName),
  });
};
