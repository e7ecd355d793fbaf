import assert from "node:assert/strict";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { InventoryService, UserService } from "@switchyard/contracts";
import { GatewayError, routesOf, type Route } from "@switchyard/gateway";
import { authConfigFromEnv, Authenticator, type AuthSettings } from "../src/auth/index.js";

const ISSUER = "https://issuer.test/";
const AUDIENCE = "switchyard-api";

const routes = routesOf([UserService, InventoryService]);
function route(rpc: string): Route {
  const found = routes.find((r) => r.subject === rpc);
  assert.ok(found, rpc);
  return found;
}
const ping = route("users.v1.UserService.Ping");
const createUser = route("users.v1.UserService.CreateUser");
const deleteUser = route("users.v1.UserService.DeleteUser");
const getItem = route("inventory.v1.InventoryService.GetItem");

interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(alg: "RS256" | "ES256", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

interface TokenOptions {
  claims?: JWTPayload;
  iss?: string;
  aud?: string | string[];
  sub?: string | undefined;
  /** Seconds from now. */
  exp?: number | undefined;
  nbf?: number;
  kid?: string | undefined;
}

async function token(key: SigningKey, o: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { iss: o.iss ?? ISSUER, aud: o.aud ?? AUDIENCE, iat: now, ...o.claims };
  if (!("sub" in o) || o.sub !== undefined) claims.sub = o.sub ?? "user-1";
  if (!("exp" in o) || o.exp !== undefined) claims.exp = now + (o.exp ?? 300);
  if (o.nbf !== undefined) claims.nbf = now + o.nbf;
  const header = "kid" in o ? (o.kid === undefined ? { alg: key.alg } : { alg: key.alg, kid: o.kid }) : { alg: key.alg, kid: key.kid };
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

/** A JWKS served over HTTP on a random port, whose keys the test changes. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  status = 200;
  private server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.fetches++;
      res.writeHead(this.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

function settings(env: Record<string, string>): AuthSettings {
  const s = authConfigFromEnv({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, ...env });
  assert.ok(s);
  return s;
}

const bearer = (t: string) => `Bearer ${t}`;

/** Asserts the promise fails with a GatewayError of this code; returns it for more checks. */
async function refused(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(GatewayError.is(err), `not a GatewayError: ${String(err)}`);
    assert.equal(err.code, code, err.detail);
    if (detail !== undefined) assert.match(err.detail, detail);
    return err;
  }
  assert.fail(`expected ${code}, but it was accepted`);
}

describe("HTTP auth: JWT bearer tokens against a JWKS URL", () => {
  let jwks: JwksServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  let auth: Authenticator;

  before(async () => {
    [rsa, ec] = await Promise.all([signingKey("RS256", "rsa-1"), signingKey("ES256", "ec-1")]);
    jwks = await new JwksServer().start();
    jwks.keys = [rsa.jwk, ec.jwk];
    auth = new Authenticator(settings({ AUTH_JWKS_URL: jwks.url }));
  });
  after(() => jwks.stop());

  it("accepts a valid RS256 token and yields its subject and claims", async () => {
    const identity = await auth.authenticate(bearer(await token(rsa, { claims: { scope: "users:read users:write", name: "Zoë" } })), createUser);
    assert.ok(identity);
    assert.equal(identity.subject, "user-1");
    assert.equal(identity.claims["name"], "Zoë");
    assert.deepEqual([...identity.scopes], ["users:read", "users:write"]);
    assert.deepEqual(JSON.parse(identity.claimsJson), identity.claims);
    assert.match(identity.claimsJson, /Zo\\u00eb/);
  });

  it("accepts a valid ES256 token, the scheme in any case, and an audience among several", async () => {
    const identity = await auth.authenticate(`bearer ${await token(ec, { aud: ["other", AUDIENCE] })}`, createUser);
    assert.equal(identity?.subject, "user-1");
  });

  it("refuses an expired token, naming why and never echoing the token", async () => {
    const t = await token(rsa, { exp: -60 });
    const err = await refused(auth.authenticate(bearer(t), createUser), "INVALID_TOKEN", /expired/);
    assert.equal(err.status, 401);
    assert.equal(
      err.headers?.["WWW-Authenticate"],
      'Bearer realm="switchyard", error="invalid_token", error_description="it has expired"',
    );
    for (const part of t.split(".")) assert.ok(!err.detail.includes(part) && !err.headers!["WWW-Authenticate"]!.includes(part));
  });

  it("accepts a token expired within the clock tolerance (5 s by default)", async () => {
    assert.ok(await auth.authenticate(bearer(await token(rsa, { exp: -2 })), createUser));
  });

  it("refuses a token that is not valid yet", async () => {
    await refused(auth.authenticate(bearer(await token(rsa, { nbf: 120 })), createUser), "INVALID_TOKEN", /not valid yet/);
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    await refused(auth.authenticate(bearer(await token(rsa, { aud: "someone-else" })), createUser), "INVALID_TOKEN", /audience/);
    await refused(auth.authenticate(bearer(await token(rsa, { iss: "https://evil.test/" })), createUser), "INVALID_TOKEN", /issuer/);
  });

  it("refuses a token with no sub or no exp", async () => {
    await refused(auth.authenticate(bearer(await token(rsa, { sub: undefined })), createUser), "INVALID_TOKEN", /no sub claim/);
    await refused(auth.authenticate(bearer(await token(rsa, { exp: undefined })), createUser), "INVALID_TOKEN", /no exp claim/);
  });

  it("refuses a token signed by another key under the same kid", async () => {
    const impostor = await signingKey("RS256", rsa.kid);
    await refused(auth.authenticate(bearer(await token(impostor)), createUser), "INVALID_TOKEN", /signature does not verify/);
  });

  it("refuses alg none and HS256, whatever the key set holds", async () => {
    const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: "admin", exp: Math.floor(Date.now() / 1000) + 300 }));
    const none = `${base64url.encode(JSON.stringify({ alg: "none", kid: rsa.kid }))}.${payload}.`;
    await refused(auth.authenticate(bearer(none), createUser), "INVALID_TOKEN", /algorithm/);
    const hs = await new SignJWT({ sub: "admin" })
      .setProtectedHeader({ alg: "HS256", kid: rsa.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    await refused(auth.authenticate(bearer(hs), createUser), "INVALID_TOKEN", /algorithm \(alg\) is not allowed; allowed: RS256, ES256, EdDSA/);
  });

  it("refuses malformed tokens", async () => {
    for (const header of ["Bearer", "Bearer abc", "Bearer a.b.c", "Bearer a b", `Bearer ${"a".repeat(20_000)}`, "Bearer \u00e9.x.y"]) {
      await refused(auth.authenticate(header, createUser), "INVALID_TOKEN", /well-formed/);
    }
  });

  it("refuses a token whose kid no key has", async () => {
    await refused(auth.authenticate(bearer(await token(rsa, { kid: "nobody" })), createUser), "INVALID_TOKEN", /no key/);
  });

  it("answers 401 AUTH_REQUIRED with a bare challenge when a required route gets no bearer token", async () => {
    for (const header of [undefined, "", "Basic dXNlcjpwYXNz"]) {
      const err = await refused(auth.authenticate(header, createUser), "AUTH_REQUIRED");
      assert.equal(err.status, 401);
      assert.equal(err.headers?.["WWW-Authenticate"], 'Bearer realm="switchyard"');
    }
  });

  it("refuses a token whose claims are over the size limit, and one whose sub cannot be a header", async () => {
    await refused(auth.authenticate(bearer(await token(rsa, { claims: { blob: "x".repeat(5000) } })), createUser), "INVALID_TOKEN", /over the gateway's limit of 4096/);
    await refused(auth.authenticate(bearer(await token(rsa, { sub: "a\r\nb" })), createUser), "INVALID_TOKEN", /sub claim/);
    await refused(auth.authenticate(bearer(await token(rsa, { claims: { sub: 42 } as unknown as JWTPayload, sub: undefined })), createUser), "INVALID_TOKEN", /sub claim/);
  });

  it("tries each key when several match a token without a kid", async () => {
    const [a, b] = await Promise.all([signingKey("RS256", "a"), signingKey("RS256", "b")]);
    const server = await new JwksServer().start();
    server.keys = [a.jwk, b.jwk].map(({ kid: _kid, ...jwk }) => jwk);
    try {
      const noKid = new Authenticator(settings({ AUTH_JWKS_URL: server.url }));
      assert.equal((await noKid.authenticate(bearer(await token(b, { kid: undefined })), createUser))?.subject, "user-1");
      const other = await signingKey("RS256", "c");
      await refused(noKid.authenticate(bearer(await token(other, { kid: undefined })), createUser), "INVALID_TOKEN", /signature/);
    } finally {
      await server.stop();
    }
  });
});

describe("HTTP auth: which routes need a token, and scopes", () => {
  let jwks: JwksServer;
  let key: SigningKey;

  before(async () => {
    key = await signingKey("ES256", "k1");
    jwks = await new JwksServer().start();
    jwks.keys = [key.jwk];
  });
  after(() => jwks.stop());

  it("lets a request without a token through a route not listed, and still verifies a token sent there", async () => {
    const auth = new Authenticator(settings({ AUTH_JWKS_URL: jwks.url, AUTH_REQUIRE: "users.v1.UserService.CreateUser,inventory.v1.InventoryService" }));
    assert.equal(await auth.authenticate(undefined, ping), undefined);
    assert.equal(await auth.authenticate("Basic dXNlcjpwYXNz", ping), undefined);
    assert.equal((await auth.authenticate(bearer(await token(key)), ping))?.subject, "user-1");
    await refused(auth.authenticate(bearer(await token(key, { exp: -60 })), ping), "INVALID_TOKEN");
    await refused(auth.authenticate(undefined, createUser), "AUTH_REQUIRED");
    await refused(auth.authenticate(undefined, getItem), "AUTH_REQUIRED");
    assert.deepEqual(auth.policy(deleteUser), { required: false, scopes: [] });
  });

  it("AUTH_REQUIRE=none verifies tokens only when sent", async () => {
    const auth = new Authenticator(settings({ AUTH_JWKS_URL: jwks.url, AUTH_REQUIRE: "none" }));
    assert.equal(await auth.authenticate(undefined, createUser), undefined);
    await refused(auth.authenticate(bearer(await token(key, { aud: "x" })), createUser), "INVALID_TOKEN");
  });

  it("answers 403 INSUFFICIENT_SCOPE naming the missing scope, from scope or scp", async () => {
    const auth = new Authenticator(
      settings({
        AUTH_JWKS_URL: jwks.url,
        AUTH_REQUIRE: "none",
        AUTH_SCOPES: "users.v1.UserService.DeleteUser=users:admin; users.v1.UserService=users:read",
      }),
    );
    assert.deepEqual(auth.policy(deleteUser), { required: true, scopes: ["users:read", "users:admin"] });
    await refused(auth.authenticate(undefined, deleteUser), "AUTH_REQUIRED");
    const err = await refused(auth.authenticate(bearer(await token(key, { claims: { scope: "users:read" } })), deleteUser), "INSUFFICIENT_SCOPE", /users:admin/);
    assert.equal(err.status, 403);
    assert.equal(
      err.headers?.["WWW-Authenticate"],
      'Bearer realm="switchyard", error="insufficient_scope", error_description="the token lacks the scope users:admin", scope="users:read users:admin"',
    );
    assert.ok(await auth.authenticate(bearer(await token(key, { claims: { scp: ["users:read", "users:admin"] } })), deleteUser));
    assert.ok(await auth.authenticate(bearer(await token(key, { claims: { scp: "users:admin users:read" } })), deleteUser));
    await refused(auth.authenticate(bearer(await token(key, { claims: { scope: "users:admin" } })), deleteUser), "INSUFFICIENT_SCOPE", /users:read/);
    assert.ok(await auth.authenticate(bearer(await token(key, { claims: { scope: "users:read" } })), createUser));
    assert.equal(await auth.authenticate(undefined, getItem), undefined);
  });
});

describe("HTTP auth: key rotation and an unavailable JWKS", () => {
  it("finds a rotated-in key by refetching on its unknown kid, and refuses the removed key", async () => {
    const [old, next] = await Promise.all([signingKey("RS256", "2024-old"), signingKey("RS256", "2025-new")]);
    const jwks = await new JwksServer().start();
    try {
      // Signed up front, so that slow signing on a busy machine cannot stretch the timed steps.
      const [oldToken, nextToken] = [bearer(await token(old)), bearer(await token(next))];
      const randomKids = await Promise.all(Array.from({ length: 20 }, async (_, i) => bearer(await token(next, { kid: `random-${i}` }))));
      jwks.keys = [old.jwk];
      const auth = new Authenticator(settings({ AUTH_JWKS_URL: jwks.url, AUTH_JWKS_COOLDOWN_MS: "300" }));
      assert.ok(await auth.authenticate(oldToken, createUser));
      assert.equal(jwks.fetches, 1);

      jwks.keys = [next.jwk];
      // Within the cooldown after a fetch, an unknown kid fetches nothing: the new key is not known yet.
      await refused(auth.authenticate(nextToken, createUser), "INVALID_TOKEN", /no key/);
      assert.equal(jwks.fetches, 1);

      await sleep(350);
      assert.equal((await auth.authenticate(nextToken, createUser))?.subject, "user-1");
      assert.equal(jwks.fetches, 2);
      await refused(auth.authenticate(oldToken, createUser), "INVALID_TOKEN", /no key/);

      // Unknown kids sent in a burst cost the JWKS server at most one fetch per cooldown.
      await sleep(350);
      await Promise.all(randomKids.map((t) => refused(auth.authenticate(t, createUser), "INVALID_TOKEN")));
      assert.equal(jwks.fetches, 3);
    } finally {
      await jwks.stop();
    }
  });

  it("answers 503 AUTH_UNAVAILABLE with Retry-After when the JWKS cannot be fetched, then recovers", async () => {
    const key = await signingKey("ES256", "k");
    const jwks = await new JwksServer().start();
    jwks.keys = [key.jwk];
    jwks.status = 500;
    const failures: unknown[] = [];
    try {
      const s = settings({ AUTH_JWKS_URL: jwks.url });
      const valid = bearer(await token(key));
      const auth = new Authenticator({ ...s, timings: { ...s.timings, retryMs: 300 } }, { onKeySetError: (err) => failures.push(err) });
      const err = await refused(auth.authenticate(valid, createUser), "AUTH_UNAVAILABLE", /unavailable/);
      assert.equal(err.status, 503);
      assert.equal(err.headers?.["Retry-After"], "1");
      assert.equal(failures.length, 1);
      // Within retryMs no request waits on another fetch.
      await refused(auth.authenticate(valid, createUser), "AUTH_UNAVAILABLE");
      assert.equal(jwks.fetches, 1);

      jwks.status = 200;
      await sleep(350);
      assert.ok(await auth.authenticate(bearer(await token(key)), createUser));
    } finally {
      await jwks.stop();
    }
    // Nothing listening at all: connection refused.
    const down = new Authenticator(settings({ AUTH_JWKS_URL: jwks.url }));
    await refused(down.authenticate(bearer(await token(key)), createUser), "AUTH_UNAVAILABLE");
  });

  it("keeps using the last keys fetched while the JWKS is down, but not for an unknown kid", async () => {
    const [key, unknown] = await Promise.all([signingKey("ES256", "k"), signingKey("ES256", "new")]);
    const jwks = await new JwksServer().start();
    jwks.keys = [key.jwk];
    const s = settings({ AUTH_JWKS_URL: jwks.url, AUTH_JWKS_COOLDOWN_MS: "0" });
    const auth = new Authenticator({ ...s, timings: { ...s.timings, maxAgeMs: 100, staleMs: 60_000 } });
    try {
      assert.ok(await auth.authenticate(bearer(await token(key)), createUser));
      jwks.status = 503;
      await sleep(150);
      assert.ok(await auth.authenticate(bearer(await token(key)), createUser));
      await refused(auth.authenticate(bearer(await token(unknown)), createUser), "AUTH_UNAVAILABLE");
    } finally {
      await jwks.stop();
    }
    const tight = new Authenticator({ ...s, timings: { ...s.timings, maxAgeMs: 100, staleMs: 0 } });
    await refused(tight.authenticate(bearer(await token(key)), createUser), "AUTH_UNAVAILABLE");
  });
});

describe("HTTP auth: a JWKS file", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-auth-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("verifies against the file and reads it again on an unknown kid after the cooldown", async () => {
    const [old, next] = await Promise.all([signingKey("RS256", "file-old"), signingKey("ES256", "file-new")]);
    const file = join(dir, "jwks.json");
    await writeFile(file, JSON.stringify({ keys: [old.jwk] }));
    const failures: unknown[] = [];
    const auth = new Authenticator(settings({ AUTH_JWKS_FILE: file, AUTH_JWKS_COOLDOWN_MS: "200" }), { onKeySetError: (err) => failures.push(err) });
    assert.ok(await auth.authenticate(bearer(await token(old)), createUser));

    // Replaced the way Kubernetes updates a mounted Secret: a new file renamed into place.
    await writeFile(`${file}.tmp`, JSON.stringify({ keys: [next.jwk] }));
    await rename(`${file}.tmp`, file);
    await sleep(250);
    assert.ok(await auth.authenticate(bearer(await token(next)), createUser));
    await refused(auth.authenticate(bearer(await token(old)), createUser), "INVALID_TOKEN", /no key/);

    // A broken edit keeps the keys in use, and is reported.
    await writeFile(file, "{ not json");
    await sleep(250);
    await refused(auth.authenticate(bearer(await token(next, { kid: "unknown" })), createUser), "INVALID_TOKEN", /no key/);
    assert.equal(failures.length, 1);
    assert.ok(await auth.authenticate(bearer(await token(next)), createUser));
  });
});
