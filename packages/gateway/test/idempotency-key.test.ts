import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { CreateUserRequestSchema, UserService } from "@switchyard/contracts";
import { GatewayError, routesOf } from "@switchyard/gateway";
import { ConfigError } from "@switchyard/protocol";
import Fastify from "fastify";
import { replyWithError } from "../src/http/problem-reply.js";
import {
  fingerprintOf,
  idempotencyApplies,
  idempotencyConfigFromEnv,
  outcomeOf,
  parseIdempotencyKey,
  problemResponse,
  recordKeyOf,
  serviceKeyOf,
} from "../src/idempotency/index.js";

const routes = routesOf([UserService]);
const route = (verb: string, path: string) => routes.find((r) => r.verb === verb && r.template.source === path)!;
const createUser = route("POST", "/users");

describe("Idempotency-Key header", () => {
  const accepted: [string, string | string[], string][] = [
    ["a bare UUID", "8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ["a quoted string (the draft's sf-string)", '"8e03978e-40d5-43e8-bc93-6894a57f9324"', "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ["a quoted string with spaces and escapes", '"order 42 \\"retry\\" \\\\ x"', 'order 42 "retry" \\ x'],
    ["base64 with / and =", "q83vEjRWeJA=/+", "q83vEjRWeJA=/+"],
    ["one character", "x", "x"],
    ["255 characters", "k".repeat(255), "k".repeat(255)],
    ["255 characters quoted", `"${"k".repeat(255)}"`, "k".repeat(255)],
    ["surrounding whitespace", "  abc\t", "abc"],
    ["a single header given as a list", ["abc"], "abc"],
  ];
  for (const [what, header, key] of accepted) {
    it(`accepts ${what}`, () => assert.equal(parseIdempotencyKey(header), key));
  }

  it("has no key without the header", () => assert.equal(parseIdempotencyKey(undefined), undefined));

  const refused: [string, string | string[], RegExp][] = [
    ["an empty value", "", /empty/],
    ["an empty quoted string", '""', /empty/],
    ["256 characters", "k".repeat(256), /256 characters long; at most 255/],
    ["256 characters quoted", `"${"k".repeat(256)}"`, /at most 255/],
    ["a bare value with a space", "a b", /quoted string/],
    ["a list of two keys", "a, b", /quoted string/],
    ["a bare value with a comma", "a,b", /quoted string/],
    ["parameters after the string", '"abc";x=1', /nothing may follow/],
    ["an unterminated string", '"abc', /no closing quote/],
    ["a bad escape", '"a\\nb"', /backslash/],
    ["non-ASCII", '"clé"', /printable ASCII/],
    ["a control character", '"a\u0001b"', /printable ASCII/],
    ["non-ASCII bare", "clé", /quoted string/],
    ["two headers", ["a", "b"], /one Idempotency-Key header/],
  ];
  for (const [what, header, detail] of refused) {
    it(`refuses ${what} with 400 INVALID_IDEMPOTENCY_KEY naming the header`, () => {
      assert.throws(
        () => parseIdempotencyKey(header),
        (err: unknown) => {
          assert.ok(GatewayError.is(err));
          assert.equal(err.code, "INVALID_IDEMPOTENCY_KEY");
          assert.equal(err.status, 400);
          assert.equal(err.field, "idempotency-key");
          assert.match(err.detail, detail);
          return true;
        },
      );
    });
  }
});

describe("which RPCs Idempotency-Key applies to", () => {
  it("applies to RPCs not declared NO_SIDE_EFFECTS or IDEMPOTENT", () => {
    assert.equal(idempotencyApplies(createUser.method), true);
    assert.equal(idempotencyApplies(route("GET", "/users/{id}").method), false);
  });
});

describe("Idempotency settings", () => {
  it("defaults to on, 24 hours, a 5 s take-over margin and no route requiring a key", () => {
    assert.deepEqual(idempotencyConfigFromEnv({}), { enabled: true, ttlS: 86_400, takeoverMarginMs: 5000, required: [] });
  });

  it("reads every variable", () => {
    const env = {
      IDEMPOTENCY: "false",
      IDEMPOTENCY_TTL_S: "3600",
      IDEMPOTENCY_TAKEOVER_MARGIN_MS: "250",
      IDEMPOTENCY_REQUIRED: "users.v1.UserService.CreateUser, inventory.v1.InventoryService",
    };
    assert.deepEqual(idempotencyConfigFromEnv(env), {
      enabled: false,
      ttlS: 3600,
      takeoverMarginMs: 250,
      required: ["users.v1.UserService.CreateUser", "inventory.v1.InventoryService"],
    });
    assert.deepEqual(idempotencyConfigFromEnv({ IDEMPOTENCY_REQUIRED: "*" }).required, ["*"]);
  });

  const bad: [string, string, string][] = [
    ["IDEMPOTENCY_TTL_S", "0", "from 1 to 2592000"],
    ["IDEMPOTENCY_TTL_S", "1h", '"1h"'],
    ["IDEMPOTENCY_TTL_S", "99999999", "from 1 to 2592000"],
    ["IDEMPOTENCY_TAKEOVER_MARGIN_MS", "-1", '"-1"'],
    ["IDEMPOTENCY", "maybe", "not true or false"],
    ["IDEMPOTENCY_REQUIRED", "CreateUser", '"CreateUser" is not a full RPC or service name'],
    ["IDEMPOTENCY_REQUIRED", "users.v1.UserService.CreateUser,*", "* stands alone"],
  ];
  for (const [variable, value, reason] of bad) {
    it(`refuses ${variable}=${value} with a ConfigError naming it`, () => {
      assert.throws(
        () => idempotencyConfigFromEnv({ [variable]: value }),
        (err: unknown) => ConfigError.is(err) && err.variable === variable && err.message.includes(reason),
      );
    });
  }
});

describe("idempotency keys and fingerprints", () => {
  const payload = (first: string) => toBinary(CreateUserRequestSchema, create(CreateUserRequestSchema, { user: { firstName: first, lastName: "L" } }));

  it("scopes the stored key by client and route, as 64 hex digits that fit a KV key", () => {
    const key = recordKeyOf("alice", createUser, "k");
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(recordKeyOf("alice", createUser, "k"), key);
    assert.notEqual(recordKeyOf("bob", createUser, "k"), key);
    assert.notEqual(recordKeyOf("", createUser, "k"), key);
    assert.notEqual(recordKeyOf("alice", route("PATCH", "/users/{user.id}"), "k"), key);
    // No ambiguity between the parts: ("a", "bc") is not ("ab", "c").
    assert.notEqual(recordKeyOf("a\u0000", createUser, "k"), recordKeyOf("a", createUser, "\u0000k"));
  });

  it("fingerprints the payload and the answer's media type", () => {
    const fp = fingerprintOf(createUser, undefined, payload("A"));
    assert.equal(fingerprintOf(createUser, "application/json", payload("A")), fp);
    assert.notEqual(fingerprintOf(createUser, undefined, payload("B")), fp);
    assert.notEqual(fingerprintOf(createUser, "application/x-protobuf", payload("A")), fp);
  });

  it("gives services one token per operation", () => {
    const key = recordKeyOf("", createUser, "k");
    const token = serviceKeyOf(key, fingerprintOf(createUser, undefined, payload("A")));
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.notEqual(serviceKeyOf(key, fingerprintOf(createUser, undefined, payload("B"))), token);
  });
});

describe("what becomes of a key after its request", () => {
  const cases: [GatewayError | Error, string][] = [
    [new GatewayError("INVALID_ARGUMENT", "bad"), "release"],
    [new GatewayError("ALREADY_EXISTS", "dup"), "store"],
    [new GatewayError("INTERNAL", "boom"), "store"],
    [new GatewayError("DEADLINE_EXCEEDED", "late"), "store"],
    [new GatewayError("BAD_SERVICE_REPLY", "junk"), "store"],
    [new GatewayError("UNAVAILABLE", "later"), "release"],
    [new GatewayError("RESOURCE_EXHAUSTED", "later"), "release"],
    [new GatewayError("NO_SERVICE", "none"), "release"],
    [new GatewayError("PAYLOAD_TOO_LARGE", "big"), "release"],
    [new GatewayError("SERVICE_TIMEOUT", "slow"), "unknown"],
    [new GatewayError("NATS_UNAVAILABLE", "down"), "unknown"],
    [new Error("a bug"), "unknown"],
  ];
  for (const [err, outcome] of cases) {
    it(`${GatewayError.is(err) ? err.code : "a plain Error"}: ${outcome}`, () => assert.equal(outcomeOf(err), outcome));
  }
});

describe("stored error answers", () => {
  it("are the bytes replyWithError sends", async () => {
    const err = new GatewayError("ALREADY_EXISTS", "the email is taken", "user.email");
    const app = Fastify({ genReqId: () => "req-1" });
    app.setErrorHandler((e, request, reply) => replyWithError(e, request, reply));
    app.get("/", async () => {
      throw err;
    });
    const res = await app.inject("/");
    const stored = problemResponse(err, "req-1");
    assert.equal(res.statusCode, stored.status);
    assert.equal(res.headers["content-type"], stored.headers["content-type"]);
    assert.equal(res.body, Buffer.from(stored.body).toString());
    await app.close();
  });
});
