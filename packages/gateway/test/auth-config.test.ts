import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InventoryService, UserService } from "@switchyard/contracts";
import { routesOf } from "@switchyard/gateway";
import { authConfigFromEnv, unmatchedNames } from "../src/auth/index.js";

const base = { AUTH_JWKS_URL: "https://idp.example.com/.well-known/jwks.json", AUTH_ISSUER: "https://idp.example.com/", AUTH_AUDIENCE: "api" };

describe("HTTP auth configuration", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-auth-config-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("is off when no AUTH_* variable is set", () => {
    assert.equal(authConfigFromEnv({}), undefined);
    assert.equal(authConfigFromEnv({ AUTH_REQUIRE: "", PORT: "3000" }), undefined);
  });

  it("has defaults: every route needs a token, RS256/ES256/EdDSA, 5 s of clock tolerance", () => {
    const s = authConfigFromEnv(base);
    assert.ok(s);
    assert.deepEqual(s.keys, { url: new URL(base.AUTH_JWKS_URL) });
    assert.deepEqual(s.issuers, ["https://idp.example.com/"]);
    assert.deepEqual(s.audiences, ["api"]);
    assert.deepEqual(s.algorithms, ["RS256", "ES256", "EdDSA"]);
    assert.equal(s.clockToleranceS, 5);
    assert.equal(s.require, "all");
    assert.equal(s.scopes.size, 0);
    assert.equal(s.realm, "switchyard");
    assert.equal(s.claimsMaxBytes, 4096);
    assert.deepEqual(s.timings, { maxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 5_000, staleMs: 3_600_000, retryMs: 2_000 });
  });

  it("reads lists, a requirement, scopes and a key file", async () => {
    const file = join(dir, "jwks.json");
    await writeFile(file, JSON.stringify({ keys: [] }));
    const s = authConfigFromEnv({
      AUTH_JWKS_FILE: file,
      AUTH_ISSUER: "https://a.example/, https://b.example/",
      AUTH_AUDIENCE: "api,admin",
      AUTH_ALGORITHMS: "ES384, PS256",
      AUTH_REQUIRE: "users.v1.UserService.CreateUser, inventory.v1.InventoryService",
      AUTH_SCOPES: "users.v1.UserService.DeleteUser=users:admin users:write; inventory.v1.InventoryService=inventory:read;",
      AUTH_CLOCK_TOLERANCE_S: "0",
    });
    assert.ok(s);
    assert.deepEqual(s.keys, { file });
    assert.deepEqual(s.issuers, ["https://a.example/", "https://b.example/"]);
    assert.deepEqual(s.audiences, ["api", "admin"]);
    assert.deepEqual(s.algorithms, ["ES384", "PS256"]);
    assert.deepEqual(s.require, ["users.v1.UserService.CreateUser", "inventory.v1.InventoryService"]);
    assert.deepEqual(
      [...s.scopes],
      [
        ["users.v1.UserService.DeleteUser", ["users:admin", "users:write"]],
        ["inventory.v1.InventoryService", ["inventory:read"]],
      ],
    );
    assert.equal(s.clockToleranceS, 0);
    assert.equal(authConfigFromEnv({ ...base, AUTH_REQUIRE: "none" })?.require, "none");
    assert.deepEqual(authConfigFromEnv({ ...base, AUTH_JWKS_URL: "http://127.0.0.1:8080/jwks" })?.keys, { url: new URL("http://127.0.0.1:8080/jwks") });
  });

  it("lists the names that match no route's RPC or service", () => {
    const s = authConfigFromEnv({
      ...base,
      AUTH_REQUIRE: "users.v1.UserService.CreateUser,users.v1.UserServce",
      AUTH_SCOPES: "inventory.v1.InventoryService.DeleteItem=inv:admin;users.v1.UserService.Delete=x",
    });
    assert.ok(s);
    assert.deepEqual(unmatchedNames(s, routesOf([UserService, InventoryService])), ["users.v1.UserServce", "users.v1.UserService.Delete"]);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ AUTH_REQUIRE: "all" }, /^AUTH_JWKS_URL: HTTP auth is configured .* set AUTH_JWKS_URL or AUTH_JWKS_FILE$/],
    [{ ...base, AUTH_JWKS_FILE: "/x.json" }, /^AUTH_JWKS_FILE: set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both$/],
    [{ ...base, AUTH_ISSUER: "" }, /^AUTH_ISSUER: is required/],
    [{ ...base, AUTH_AUDIENCE: " , " }, /^AUTH_AUDIENCE: is required/],
    [{ ...base, AUTH_JWKS_URL: "not a url" }, /^AUTH_JWKS_URL: is not a URL$/],
    [{ ...base, AUTH_JWKS_URL: "http://idp.example.com/jwks" }, /^AUTH_JWKS_URL: must be an https:\/\/ URL/],
    [{ ...base, AUTH_JWKS_URL: "https://u:secret@idp.example.com/jwks" }, /^AUTH_JWKS_URL: must not carry credentials$/],
    [{ ...base, AUTH_JWKS_URL: "", AUTH_JWKS_FILE: "/no/such/jwks.json" }, /^AUTH_JWKS_FILE: cannot read \/no\/such\/jwks.json \(ENOENT\)$/],
    [{ ...base, AUTH_ALGORITHMS: "none" }, /^AUTH_ALGORITHMS: "none" would accept unsigned tokens$/],
    [{ ...base, AUTH_ALGORITHMS: "RS256,HS256" }, /^AUTH_ALGORITHMS: "HS256" is a shared-secret algorithm/],
    [{ ...base, AUTH_ALGORITHMS: "RS1" }, /^AUTH_ALGORITHMS: "RS1" is not one of/],
    [{ ...base, AUTH_CLOCK_TOLERANCE_S: "-1" }, /^AUTH_CLOCK_TOLERANCE_S:/],
    [{ ...base, AUTH_CLOCK_TOLERANCE_S: "301" }, /^AUTH_CLOCK_TOLERANCE_S:/],
    [{ ...base, AUTH_REQUIRE: "CreateUser" }, /^AUTH_REQUIRE: "CreateUser" is not a service or RPC full name/],
    [{ ...base, AUTH_SCOPES: "users.v1.UserService" }, /^AUTH_SCOPES: "users.v1.UserService" is not NAME=SCOPE/],
    [{ ...base, AUTH_SCOPES: "users.v1.UserService=" }, /^AUTH_SCOPES: users.v1.UserService lists no scope$/],
    [{ ...base, AUTH_SCOPES: 'users.v1.UserService=a"b' }, /^AUTH_SCOPES: "a"b" is not a valid OAuth scope$/],
    [{ ...base, AUTH_SCOPES: "users.v1.UserService=a;users.v1.UserService=b" }, /^AUTH_SCOPES: users.v1.UserService is listed twice$/],
    [{ ...base, AUTH_REALM: 'a"b' }, /^AUTH_REALM:/],
    [{ ...base, AUTH_CLAIMS_MAX_BYTES: "100" }, /^AUTH_CLAIMS_MAX_BYTES:/],
    [{ ...base, AUTH_JWKS_COOLDOWN_MS: "soon" }, /^AUTH_JWKS_COOLDOWN_MS:/],
    [{ ...base, AUTH_AUDIENCES: "api" }, /^AUTH_AUDIENCES: is not an auth setting/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a message naming the variable`, () => {
      assert.throws(() => authConfigFromEnv(env), { name: "ConfigError", message });
    });
  }

  it("refuses a key file that is not a JWKS, without showing its content", async () => {
    const file = join(dir, "private.pem");
    await writeFile(file, "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n");
    assert.throws(() => authConfigFromEnv({ ...base, AUTH_JWKS_URL: "", AUTH_JWKS_FILE: file }), (err: Error) => {
      assert.equal(err.name, "ConfigError");
      assert.match(err.message, /^AUTH_JWKS_FILE: .* is not a JSON Web Key Set/);
      assert.ok(!err.message.includes("secret"));
      return true;
    });
  });
});
