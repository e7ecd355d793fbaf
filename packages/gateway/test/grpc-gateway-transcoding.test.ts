import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Message } from "@bufbuild/protobuf";
import type { InjectOptions } from "fastify";
import { PROBLEM } from "./harness.js";
import { startExampleStack, type ExampleStack } from "./grpc-gateway-fixture.js";

// What grpc-gateway does with its own example contracts, the gateway does too: each case below was a
// gap (issue 11), shown here through a real nats-server and a service written with the SDK.
type Fields = Record<string, unknown>;
const fields = (m: Message): Fields => m as unknown as Fields;
const ABE = "/v1/example/a_bit_of_everything";

describe("grpc-gateway's example contracts, transcoded as grpc-gateway does", () => {
  let stack: ExampleStack;
  before(async () => {
    stack = await startExampleStack();
  });
  after(async () => {
    await stack.close();
  });
  const inject = (options: InjectOptions) => stack.app.inject(options);

  describe("numbers", () => {
    it("keeps int64 and uint64 above 2^53 exact, up to the largest uint64", async () => {
      const payload = '{"int64Value": 9007199254740993, "uint64Value": 18446744073709551615, "sint64Value": -9223372036854775808}';
      const res = await inject({ method: "POST", url: ABE, payload, headers: { "content-type": "application/json" } });
      assert.equal(res.statusCode, 200, res.body);
      const got = fields(stack.last("ABitOfEverythingService.CreateBody"));
      assert.equal(got["int64Value"], 9007199254740993n);
      assert.equal(got["uint64Value"], 18446744073709551615n);
      assert.equal(got["sint64Value"], -9223372036854775808n);
      assert.equal(res.json().int64Value, "9007199254740993");
      assert.equal(res.json().uint64Value, "18446744073709551615");
    });

    it("refuses an int64 beyond its range with 400 naming the field", async () => {
      const payload = '{"int64Value": 9223372036854775808}';
      const res = await inject({ method: "POST", url: ABE, payload, headers: { "content-type": "application/json" } });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers["content-type"], PROBLEM);
      assert.equal(res.json().field, "int64_value");
    });

    it("writes float fields as their shortest decimal, not float64 noise", async () => {
      const res = await inject({ method: "POST", url: ABE, payload: { floatValue: 1.1, doubleValue: 1.1 } });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(res.body, /"floatValue":1.1[,}]/);
      assert.equal(res.json().doubleValue, 1.1);
      const repeated = await inject({ method: "GET", url: "/v1/example/a_bit_of_everything_repeated/0.1,3.4028235e38/1/1/1/1/1/1/true/a/YQ/1/ZERO/1/1/1/1" });
      assert.equal(repeated.statusCode, 200, repeated.body);
      assert.deepEqual(repeated.json().pathRepeatedFloatValue, [0.1, 3.4028235e38]);
    });
  });

  describe("bindings", () => {
    it("serves a verb that holds a colon after a variable ({uuid}:custom:custom)", async () => {
      const res = await inject({ method: "POST", url: `${ABE}/abc:custom:custom`, payload: {} });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(fields(stack.last("ABitOfEverythingService.DoubleColon"))["uuid"], "abc");
      const single = await inject({ method: "POST", url: `${ABE}/def:custom`, payload: {} });
      assert.equal(single.statusCode, 200, single.body);
      assert.equal(fields(stack.last("ABitOfEverythingService.Custom"))["uuid"], "def");
    });

    it("refuses only the bindings it cannot serve, reports them, and never lets their requests reach another RPC", async () => {
      // StreamService.BulkCreate streams from the client: not servable over request/reply; the rest of
      // StreamService and every other service are served.
      const before = stack.received.length;
      const res = await inject({ method: "POST", url: `${ABE}/bulk`, payload: {} });
      assert.equal(res.statusCode, 501, res.body);
      assert.equal(res.headers["content-type"], PROBLEM);
      assert.equal(res.json().code, "BINDING_NOT_SERVED");
      assert.match(res.json().detail, /StreamService\.BulkCreate/);
      assert.equal(stack.received.length, before, "no RPC got the request");

      const services = (await inject({ method: "GET", url: "/_/services" })).json();
      const refused = services.refused.map((r: { rpc: string }) => r.rpc).sort();
      assert.deepEqual(refused, [
        "grpc.gateway.examples.internal.proto.examplepb.StreamService.BulkCreate",
        "grpc.gateway.examples.internal.proto.examplepb.StreamService.BulkEcho",
        "grpc.gateway.examples.internal.proto.examplepb.StreamService.BulkEchoDuration",
      ]);
      const openapi = (await inject({ method: "GET", url: "/openapi.json" })).json();
      assert.equal(openapi.paths["/v1/example/a_bit_of_everything/bulk"], undefined);
      assert.ok(openapi.paths["/v1/example/a_bit_of_everything/echo/{value}"], "the rest of the contract is documented");
    });

    it("binds repeated scalar path variables from comma-separated values", async () => {
      const parts = ["1.5,-1.5", "2.5", "-3,4", "5", "6,7", "8", "9", "true,false", "a,b", "YWJj", "10", "ONE,0", "11", "12", "-13", "-14"];
      const res = await inject({ method: "GET", url: `/v1/example/a_bit_of_everything_repeated/${parts.join("/")}` });
      assert.equal(res.statusCode, 200, res.body);
      const got = fields(stack.last("ABitOfEverythingService.GetRepeatedQuery"));
      assert.deepEqual(got["pathRepeatedFloatValue"], [1.5, -1.5]);
      assert.deepEqual(got["pathRepeatedInt64Value"], [-3n, 4n]);
      assert.deepEqual(got["pathRepeatedInt32Value"], [6, 7]);
      assert.deepEqual(got["pathRepeatedBoolValue"], [true, false]);
      assert.deepEqual(got["pathRepeatedStringValue"], ["a", "b"]);
      assert.deepEqual(got["pathRepeatedEnumValue"], [1, 0]);
      assert.deepEqual(got["pathRepeatedSint64Value"], [-14n]);
    });

    it("binds a nested body field (body: payload.input_value)", async () => {
      const res = await inject({ method: "POST", url: `${ABE}/nested_body_oneof`, payload: '"hello"', headers: { "content-type": "application/json" } });
      assert.equal(res.statusCode, 200, res.body);
      const payload = fields(fields(stack.last("ABitOfEverythingService.CreateNestedBodyOneof"))["payload"] as Message);
      assert.deepEqual(payload["input"], { case: "inputValue", value: "hello" });
    });

    it("takes a wrapper message as the whole body", async () => {
      const res = await inject({ method: "POST", url: "/v1/testString", payload: '"foo"', headers: { "content-type": "application/json" } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.body, '"foo"');
      const int64 = await inject({ method: "POST", url: "/v1/testInt64", payload: "9007199254740993", headers: { "content-type": "application/json" } });
      assert.equal(int64.statusCode, 200, int64.body);
      assert.equal(int64.body, '"9007199254740993"');
    });

    it("serves HEAD, OPTIONS and TRACE bindings declared as custom kinds", async () => {
      const head = await inject({ method: "HEAD", url: `${ABE}/u-1` });
      assert.equal(head.statusCode, 200, head.body);
      assert.equal(head.body, "");
      assert.equal(fields(stack.last("ABitOfEverythingService.Exists"))["uuid"], "u-1");
      const options = await inject({ method: "OPTIONS", url: `${ABE}/u-2` });
      assert.equal(options.statusCode, 200, options.body);
      assert.equal(fields(stack.last("ABitOfEverythingService.CustomOptionsRequest"))["uuid"], "u-2");
      const trace = await inject({ method: "TRACE", url: `${ABE}/u-3` });
      assert.equal(trace.statusCode, 200, trace.body);
      assert.equal(trace.json().uuid, "u-3");
      // A method no contract binds on a bound path: 405 with the methods that are.
      const purge = await inject({ method: "PURGE", url: `${ABE}/u-4` });
      assert.equal(purge.statusCode, 405, purge.body);
      assert.match(String(purge.headers["allow"]), /HEAD/);
    });

    it("binds an empty trailing segment (/echo/)", async () => {
      const res = await inject({ method: "GET", url: `${ABE}/echo/` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(fields(stack.last("ABitOfEverythingService.Echo"))["value"], "");
    });
  });

  describe("query parameters", () => {
    const get = (query: string) => inject({ method: "GET", url: `${ABE}/params/get/n1?${query}` });

    it("fills map fields from key[entry]=value", async () => {
      const res = await get("mapped_string_value[a]=b&mapped_string_value[c]=d&mapped_nested_value[x].name=ignored");
      assert.equal(res.statusCode, 400, "a path below a map entry is not a query parameter");
      const ok = await get("mapped_string_value[a]=b&mapped_string_value[c]=d");
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().mappedStringValue, { a: "b", c: "d" });
    });

    it("reads booleans as Go's ParseBool does", async () => {
      for (const [text, value] of [["1", true], ["t", true], ["True", true], ["TRUE", true], ["0", false], ["f", false], ["FALSE", false]] as const) {
        const res = await get(`bool_value=${text}`);
        assert.equal(res.statusCode, 200, `${text}: ${res.body}`);
        assert.equal(fields(stack.last("ABitOfEverythingService.CheckGetQueryParams"))["boolValue"], value, text);
      }
      const bad = await get("bool_value=yes");
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().field, "bool_value");
    });

    it("reads float specials in any case", async () => {
      const res = await get("float_value=inf&double_value=-Infinity");
      assert.equal(res.statusCode, 200, res.body);
      const got = fields(stack.last("ABitOfEverythingService.CheckGetQueryParams"));
      assert.equal(got["floatValue"], Infinity);
      assert.equal(got["doubleValue"], -Infinity);
      assert.equal((await get("double_value=NaN")).statusCode, 200);
      assert.ok(Number.isNaN(fields(stack.last("ABitOfEverythingService.CheckGetQueryParams"))["doubleValue"]));
      assert.equal((await get("double_value=nan")).statusCode, 200);
    });

    it("refuses enum numbers the enum does not define, in the query and in the path", async () => {
      assert.equal((await get("enum_value=1")).statusCode, 200);
      const query = await get("enum_value=7");
      assert.equal(query.statusCode, 400, query.body);
      assert.equal(query.json().field, "enum_value");
      const path = await inject({ method: "GET", url: `${ABE}/params/get/nested_enum/7` });
      assert.equal(path.statusCode, 400, path.body);
      assert.equal(path.json().field, "single_nested.ok");
      assert.equal((await inject({ method: "GET", url: `${ABE}/params/get/nested_enum/TRUE` })).statusCode, 200);
    });

    it("refuses hexadecimal integers", async () => {
      const res = await get("int32_value=0x10");
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, "int32_value");
      assert.equal((await get("int32_value=%2B16")).statusCode, 200, "a leading + is base 10");
      assert.equal(fields(stack.last("ABitOfEverythingService.CheckGetQueryParams"))["int32Value"], 16);
    });
  });

  describe("masks derived from a PATCH body", () => {
    it("names leaf paths, so one nested field changes and the rest of its message is kept", async () => {
      const res = await inject({ method: "PATCH", url: "/v2/example/a_bit_of_everything/u-9", payload: { singleNested: { amount: 5 }, stringValue: "s" } });
      assert.equal(res.statusCode, 200, res.body);
      const mask = fields(fields(stack.last("ABitOfEverythingService.UpdateV2"))["updateMask"] as Message);
      assert.deepEqual(mask["paths"], ["single_nested.amount", "string_value"]);
    });

    it("includes a field the body sets beside the same field bound by the path", async () => {
      const res = await inject({ method: "PATCH", url: "/v1/publishers/p/books/b", payload: { name: "publishers/p/books/b", id: "x" } });
      assert.equal(res.statusCode, 200, res.body);
      const request = fields(stack.last("ABitOfEverythingService.UpdateBook"));
      assert.deepEqual(fields(request["updateMask"] as Message)["paths"], ["id", "name"]);
    });
  });
});

describe("grpc-gateway's example contracts, with the switches a user may turn", () => {
  let stack: ExampleStack;
  before(async () => {
    stack = await startExampleStack({ unknownFields: "ignore", emitUnpopulated: true }, ["ABitOfEverythingService"]);
  });
  after(async () => {
    await stack.close();
  });

  it("leaves unknown body fields out of the derived mask when UNKNOWN_FIELDS=ignore", async () => {
    const res = await stack.app.inject({ method: "PATCH", url: "/v2/example/a_bit_of_everything/u-1", payload: { stringValue: "s", noSuchField: 1 } });
    assert.equal(res.statusCode, 200, res.body);
    const mask = fields(fields(stack.last("ABitOfEverythingService.UpdateV2"))["updateMask"] as Message);
    assert.deepEqual(mask["paths"], ["string_value"]);
  });

  it("writes fields at their default value with EMIT_UNPOPULATED=true", async () => {
    const res = await stack.app.inject({ method: "POST", url: ABE, payload: { uuid: "u" } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().int32Value, 0);
    assert.equal(res.json().boolValue, false);
    assert.deepEqual(res.json().repeatedStringValue, []);
  });
});
