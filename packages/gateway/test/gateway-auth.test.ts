import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import type { MsgHdrs } from "@nats-io/transport-node";
import { PingResponseSchema } from "@switchyard/contracts";
import { settingsFromEnv } from "@switchyard/gateway";
import { Headers } from "@switchyard/protocol";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { PROBLEM, startStack, type Stack } from "./harness.js";

const ISSUER = "https://issuer.example";
const AUDIENCE = "switchyard";

// The gateway with auth on, in front of a raw Ping subscriber that records what reached it: the
// verified identity travels in headers only the gateway sets.
describe("gateway: JWT bearer tokens on the request path", () => {
  let stack: Stack;
  let dir: string;
  let seen: MsgHdrs | undefined;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    dir = await mkdtemp(join(tmpdir(), "switchyard-auth-"));
    const file = join(dir, "jwks.json");
    await writeFile(file, JSON.stringify({ keys: [jwk] }));
    sign = (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "k1" }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime("5m").sign(privateKey);
    const settings = settingsFromEnv({
      AUTH_JWKS_FILE: file,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_REQUIRE: "users.v1.UserService.Ping",
    });
    stack = await startStack({ auth: settings.auth, rateLimitMax: 2 });
    stack.nc.subscribe("users.v1.UserService.Ping", {
      callback: (_err, msg) => {
        seen = msg.headers;
        msg.respond(toBinary(PingResponseSchema, create(PingResponseSchema, { message: "pong" })));
      },
    });
    await stack.nc.flush();
  });
  after(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ping = (headers: Record<string, string>, remoteAddress = "127.0.0.1") => stack.app.inject({ method: "GET", url: "/", headers, remoteAddress });

  it("refuses a required route without a token: 401 problem with a Bearer challenge, nothing sent to the service", async () => {
    seen = undefined;
    const res = await ping({});
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers["content-type"], PROBLEM);
    assert.equal(res.json().code, "AUTH_REQUIRED");
    assert.match(String(res.headers["www-authenticate"]), /^Bearer /);
    assert.equal(seen, undefined);
  });

  it("passes the verified subject and claims, and never a client's copy of them", async () => {
    const token = await sign({ sub: "user-42", name: "Zoë" });
    const res = await ping({
      authorization: `Bearer ${token}`,
      "switchyard-auth-subject": "admin",
      "switchyard-meta-auth-subject": "admin",
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(seen?.get(Headers.authSubject), "user-42");
    const claims = JSON.parse(seen?.get(Headers.authClaims) ?? "{}") as Record<string, unknown>;
    assert.equal(claims["name"], "Zoë");
    assert.equal(claims["iss"], ISSUER);
    assert.match(seen?.get(Headers.authClaims) ?? "", /^[\x20-\x7e]+$/);
    // The client's own header reaches the service only as metadata, under its own name.
    assert.equal(seen?.get(`${Headers.metadataPrefix}auth-subject`), "admin");
    assert.equal([...(seen?.keys() ?? [])].filter((k) => k.toLowerCase() === Headers.authSubject.toLowerCase()).length, 1);
  });

  it("refuses a token signed with a shared secret (HS256) as INVALID_TOKEN", async () => {
    const token = await new SignJWT({ sub: "user-42" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a shared secret that is long enough"));
    const res = await ping({ authorization: `Bearer ${token}` });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, "INVALID_TOKEN");
    assert.match(String(res.headers["www-authenticate"]), /error="invalid_token"/);
  });

  it("counts rate limits per verified subject, not per address", async () => {
    const alice = `Bearer ${await sign({ sub: "alice" })}`;
    const bob = `Bearer ${await sign({ sub: "bob" })}`;
    assert.equal((await ping({ authorization: alice }, "198.51.100.9")).statusCode, 200);
    assert.equal((await ping({ authorization: alice }, "198.51.100.9")).statusCode, 200);
    const third = await ping({ authorization: alice }, "198.51.100.9");
    assert.equal(third.statusCode, 429);
    assert.equal(third.json().code, "RATE_LIMITED");
    assert.equal((await ping({ authorization: bob }, "198.51.100.9")).statusCode, 200);
  });
});
