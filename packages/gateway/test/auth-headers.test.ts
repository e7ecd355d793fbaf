import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Match } from "@nats-io/transport-node";
import { Headers } from "@switchyard/protocol";
import { natsRequestHeaders } from "../src/headers/request-headers.js";
import { encodeClaims, identityHeaders, setIdentityHeaders, type VerifiedIdentity } from "../src/auth/index.js";

function identity(subject: string, claims: Record<string, unknown>): VerifiedIdentity {
  return { subject, claims, scopes: new Set(), claimsJson: encodeClaims(claims) };
}

describe("HTTP auth: identity headers to services", () => {
  const verified = identity("user-1", { sub: "user-1", iss: "https://idp.example.com/", aud: "api", exp: 1, roles: ["admin"] });

  it("carries the subject and the claims as compact JSON", () => {
    assert.deepEqual(identityHeaders(verified), {
      "Switchyard-Auth-Subject": "user-1",
      "Switchyard-Auth-Claims": '{"sub":"user-1","iss":"https://idp.example.com/","aud":"api","exp":1,"roles":["admin"]}',
    });
  });

  it("escapes every non-ASCII and control character, and the JSON still reads back the same", () => {
    const claims = { name: "Zoë 李 😀", note: "a\r\nb\u007f\u2028", lone: "\ud800" };
    const json = encodeClaims(claims);
    assert.match(json, /^[\x20-\x7e]+$/);
    assert.ok(json.includes("Zo\\u00eb \\u674e \\ud83d\\ude00"));
    assert.ok(json.includes("a\\r\\nb\\u007f\\u2028"));
    assert.deepEqual(JSON.parse(json), claims);
  });

  it("cannot be forged by a client: its Switchyard-Auth-* headers never reach NATS, whatever their case", () => {
    const fromClient = {
      "switchyard-auth-subject": "admin",
      "switchyard-auth-claims": '{"sub":"admin","scope":"users:admin"}',
      "switchyard-meta-switchyard-auth-subject": "admin",
      "switchyard-meta-tenant": "acme",
      authorization: "Bearer x.y.z",
    };
    const anonymous = natsRequestHeaders(fromClient, "req-1");
    for (const name of [Headers.authSubject, Headers.authClaims]) assert.equal(anonymous.has(name, Match.IgnoreCase), false, name);

    const h = natsRequestHeaders(fromClient, "req-2");
    setIdentityHeaders(h, verified);
    assert.deepEqual(h.values(Headers.authSubject, Match.IgnoreCase), ["user-1"]);
    assert.deepEqual(h.values(Headers.authClaims, Match.IgnoreCase), [verified.claimsJson]);
    // The client's copy travels only under its Switchyard-Meta- name, never as the verified header.
    assert.equal(h.get(`${Headers.metadataPrefix}switchyard-auth-subject`), "admin");
    const names = [...h.keys()].map((k) => k.toLowerCase()).sort();
    assert.deepEqual(names, [
      "switchyard-auth-claims",
      "switchyard-auth-subject",
      "switchyard-meta-switchyard-auth-subject",
      "switchyard-meta-tenant",
      "switchyard-request-id",
      "traceparent",
    ]);
  });

  it("replaces headers of those names in any case, and removes them when there is no identity", () => {
    const h = natsRequestHeaders({}, "req-3");
    h.set("switchyard-auth-subject", "forged");
    h.set("SWITCHYARD-AUTH-CLAIMS", "{}");
    setIdentityHeaders(h, verified);
    assert.deepEqual(h.values(Headers.authSubject, Match.IgnoreCase), ["user-1"]);
    assert.deepEqual(h.values(Headers.authClaims, Match.IgnoreCase), [verified.claimsJson]);
    setIdentityHeaders(h, undefined);
    assert.equal(h.has(Headers.authSubject, Match.IgnoreCase), false);
    assert.equal(h.has(Headers.authClaims, Match.IgnoreCase), false);
  });
});
