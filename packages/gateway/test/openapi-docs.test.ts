import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { UserService } from "@switchyard/contracts";
import { routesOf } from "@switchyard/gateway";
import Fastify, { type FastifyInstance } from "fastify";
import { buildOpenApi, docsPlugin, findSwaggerUi, isDocsPath, openApiSource, type OpenApiDocument } from "@switchyard/gateway";

describe("the docs plugin: /openapi.json and /docs", () => {
  let app: FastifyInstance;
  let builds = 0;
  const source = openApiSource(() => {
    builds++;
    return buildOpenApi(routesOf([UserService]), { title: "Switchyard", version: `0.1.${builds}` });
  });

  before(async () => {
    app = Fastify({ logger: false });
    await app.register(docsPlugin, { document: source.document });
    await app.ready();
  });
  after(() => app.close());

  it("serves the document, built once at registration", async () => {
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(source.document())));
    await app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(builds, 1);
  });

  it("serves the rebuilt document after openApiSource.rebuild()", async () => {
    source.rebuild();
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal((res.json() as OpenApiDocument).info.version, "0.1.2");
    assert.equal(builds, 2);
  });

  it("serves a Swagger UI page that loads only the gateway's own files", async () => {
    for (const url of ["/docs", "/docs/"]) {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
      assert.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
      const urls = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      assert.deepEqual(urls.sort(), [
        "/docs/favicon-16x16.png",
        "/docs/favicon-32x32.png",
        "/docs/swagger-initializer.js",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
      ]);
      assert.match(res.body, /<title>Switchyard: API docs<\/title>/);
    }
  });

  it("points Swagger UI at /openapi.json, with the online validator badge off", async () => {
    const res = await app.inject({ method: "GET", url: "/docs/swagger-initializer.js" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /javascript/);
    assert.match(res.body, /"url":"\/openapi.json"/);
    assert.match(res.body, /"validatorUrl":null/);
    assert.doesNotMatch(res.body, /petstore|https?:/);
  });

  const assets: [string, RegExp, number][] = [
    ["/docs/swagger-ui-bundle.js", /javascript/, 500_000],
    ["/docs/swagger-ui.css", /text\/css/, 50_000],
    ["/docs/favicon-32x32.png", /image\/png/, 100],
  ];
  for (const [url, type, size] of assets) {
    it(`serves ${url} from swagger-ui-dist`, async () => {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), type);
      assert.ok(res.rawPayload.length > size, `${res.rawPayload.length} bytes`);
    });
  }

  for (const url of ["/docs/index.html", "/docs/package.json", "/docs/swagger-ui.js", "/docs/../package.json", "/docs/nope"]) {
    it(`serves nothing else of the package: ${url} is a 404`, async () => {
      const res = await app.inject({ method: "GET", url });
      assert.equal(res.statusCode, 404);
    });
  }

  it("names the paths the gateway's route-table hook must let through", () => {
    const cases: [string, boolean][] = [
      ["/openapi.json", true],
      ["/docs", true],
      ["/docs/", true],
      ["/docs/swagger-ui.css", true],
      ["/docsx", false],
      ["/openapi.json/x", false],
      ["/users", false],
      ["/", false],
    ];
    for (const [path, expected] of cases) assert.equal(isDocsPath(path), expected, path);
  });

  it("finds Swagger UI in the swagger-ui-dist package", () => {
    assert.match(findSwaggerUi() ?? "", /swagger-ui-dist$/);
    assert.equal(findSwaggerUi("/nonexistent"), undefined);
  });

  it("still serves the document when Swagger UI's files are missing, and /docs says so", async () => {
    const bare = Fastify({ logger: false });
    await bare.register(docsPlugin, { document: source.document, assetsDir: "/nonexistent" });
    assert.equal((await bare.inject({ method: "GET", url: "/openapi.json" })).statusCode, 200);
    const docs = await bare.inject({ method: "GET", url: "/docs" });
    assert.equal(docs.statusCode, 404);
    assert.match(docs.body, /not installed/);
    await bare.close();
  });

  it("stops the start-up when the document cannot be built", async () => {
    const broken = Fastify({ logger: false });
    broken.register(docsPlugin, {
      document: () => {
        throw new Error("bad contract");
      },
    });
    await assert.rejects(async () => broken.ready(), /bad contract/);
    await broken.close();
  });
});
