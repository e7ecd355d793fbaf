import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { NatsConnection, NodeConnectionOptions } from "@nats-io/transport-node";
import { ConfigError, connectNats, NatsConnectError, natsOptionsFromEnv, redactNatsUrl, type NatsLog } from "@switchyard/protocol";
import { freePort, startNatsServer, type NatsServer } from "@switchyard/testing";
import { makeTlsFiles, serverTlsConfig, type TlsFiles } from "./tls-files.js";

/** Collects what connectNats logs. */
function recorder(): NatsLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (line) => lines.push(`info ${line}`), error: (line) => lines.push(`error ${line}`) };
}

async function optionsFor(env: Record<string, string>): Promise<NodeConnectionOptions> {
  // A short handshake timeout: a TLS server refusing a client certificate makes nats.js wait for it.
  return { ...(await natsOptionsFromEnv(env, "test")), timeout: 1500 };
}

/** connectNats's rejection, which must be a NatsConnectError. */
async function refusal(options: NodeConnectionOptions, log: NatsLog = recorder()): Promise<NatsConnectError> {
  try {
    const nc = await connectNats(options, log);
    await nc.close();
  } catch (err) {
    assert.ok(NatsConnectError.is(err), `not a NatsConnectError: ${String(err)}`);
    return err;
  }
  assert.fail("it connected");
}

describe("NATS settings from the environment", () => {
  it("reads the inbox prefix and refuses one with wildcards", async () => {
    assert.equal((await natsOptionsFromEnv({ NATS_INBOX_PREFIX: "_INBOX_users" }, "x")).inboxPrefix, "_INBOX_users");
    assert.equal((await natsOptionsFromEnv({ NATS_INBOX_PREFIX: "" }, "x")).inboxPrefix, undefined);
    for (const bad of ["_INBOX.>", "a.*", "a b", ".a", "a."]) {
      await assert.rejects(natsOptionsFromEnv({ NATS_INBOX_PREFIX: bad }, "x"), (err: unknown) => ConfigError.is(err) && err.variable === "NATS_INBOX_PREFIX");
    }
  });

  it("takes credentials out of NATS_URL, which nats.js would ignore, and never echoes the password", async () => {
    const options = await natsOptionsFromEnv({ NATS_URL: "nats://ada:s%40cret@a:4222,nats://ada:s%40cret@b:4222" }, "x");
    assert.deepEqual(options.servers, ["nats://a:4222", "nats://b:4222"]);
    assert.equal(options.user, "ada");
    assert.equal(options.pass, "s@cret");
    assert.equal((await natsOptionsFromEnv({ NATS_URL: "nats://t0ken@a:4222" }, "x")).token, "t0ken");
    const explicit = await natsOptionsFromEnv({ NATS_URL: "nats://ada:old@a:4222", NATS_USER: "bob", NATS_PASSWORD: "new" }, "x");
    assert.deepEqual([explicit.user, explicit.pass, explicit.servers], ["bob", "new", ["nats://a:4222"]]);

    await assert.rejects(natsOptionsFromEnv({ NATS_URL: "nats://ada:s3cret@a:4222/path" }, "x"), (err: Error) => {
      assert.equal(err.message, 'NATS_URL: "nats://ada:***@a:4222/path" is not a NATS server URL (nats://host:port)');
      return true;
    });
    await assert.rejects(natsOptionsFromEnv({ NATS_URL: "nats://a:1@a:4222,nats://b:2@b:4222" }, "x"), /^ConfigError: NATS_URL: the servers carry different credentials/);
    assert.equal(redactNatsUrl("tls://ada:s3cret@a:4222"), "tls://ada:***@a:4222");
    assert.equal(redactNatsUrl("nats://t0ken@a:4222"), "nats://***@a:4222");
    assert.equal(redactNatsUrl("a:4222"), "a:4222");
  });
});

describe("connectNats", () => {
  let dir: string;
  let tls: TlsFiles;
  let auth: NatsServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchyard-connect-"));
    tls = await makeTlsFiles(dir);
    auth = await startNatsServer({
      jetstream: false,
      extraConfig: 'authorization { users = [ { user: "ada", password: "s3cret", permissions: { publish: "allowed.>", subscribe: "_INBOX.>" } } ] }',
    });
  });

  after(async () => {
    await auth?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe("credentials", () => {
    it("fails at once on a wrong password, naming the user and not the password", async () => {
      const started = Date.now();
      const err = await refusal(await optionsFor({ NATS_URL: auth.url, NATS_USER: "ada", NATS_PASSWORD: "wrong-pass" }));
      assert.equal(err.reason, "auth");
      assert.equal(err.message, `NATS ${auth.url}: the credentials of user "ada" (NATS_USER, NATS_PASSWORD) were refused: Authorization Violation`);
      assert.ok(Date.now() - started < 1000);
    });

    it("says so when none were given", async () => {
      const err = await refusal(await optionsFor({ NATS_URL: auth.url }));
      assert.equal(err.reason, "auth");
      assert.match(err.message, /no credentials were given \(set NATS_USER and NATS_PASSWORD, NATS_CREDS or NATS_TOKEN\), so the connection was refused/);
    });

    it("connects with the right ones, from NATS_URL too, and logs what the server refuses later", async () => {
      const log = recorder();
      const nc = await connectNats(await optionsFor({ NATS_URL: `nats://ada:s3cret@127.0.0.1:${auth.port}` }), log);
      nc.publish("forbidden.subject", "x");
      await eventually(() => assert.deepEqual(log.lines, ['error NATS error: Permissions Violation for Publish to "forbidden.subject"']));
      await nc.close();
    });
  });

  describe("a server that is not up yet", () => {
    it("is waited for, with a line at the first failure, and connected to once it listens", async () => {
      const port = await freePort();
      const log = recorder();
      const connecting = connectNats(await optionsFor({ NATS_URL: `nats://127.0.0.1:${port}` }), log, { retryMs: 100, logEveryMs: 60_000 });
      await eventually(() => assert.deepEqual(log.lines, [`info NATS nats://127.0.0.1:${port}: connection refused; still trying (every 0.1 s)`]));
      await using late = await startNatsServer({ jetstream: false, port });
      const nc: NatsConnection = await connecting;
      assert.equal(nc.getServer(), `127.0.0.1:${late.port}`);
      assert.equal(log.lines.at(-1), `info NATS nats://127.0.0.1:${port}: connected to 127.0.0.1:${port}`);
      assert.equal(log.lines.length, 2);
      await nc.close();
    });
  });

  describe("mutual TLS (a server with tls { verify: true })", () => {
    let server: NatsServer;
    before(async () => {
      server = await startNatsServer({ jetstream: false, extraConfig: serverTlsConfig(tls, true) });
    });
    after(async () => server?.stop());

    it("connects with the client certificate, and carries messages", async () => {
      const nc = await connectNats(await optionsFor({ NATS_URL: server.url, NATS_TLS_CA: tls.ca, NATS_TLS_CERT: tls.client.cert, NATS_TLS_KEY: tls.client.key }), recorder());
      const sub = nc.subscribe("hello", { max: 1 });
      nc.publish("hello", "over TLS");
      for await (const msg of sub) assert.equal(msg.string(), "over TLS");
      await nc.close();
    });

    it("fails without a client certificate, saying which settings are missing", async () => {
      const err = await refusal(await optionsFor({ NATS_URL: server.url, NATS_TLS_CA: tls.ca }));
      assert.equal(err.reason, "tls");
      assert.equal(err.message, `NATS ${server.url}: TLS failed: the server requires a client certificate (TLS verify): set NATS_TLS_CERT and NATS_TLS_KEY`);
    });

    it("fails with a certificate from a CA the server does not trust", async () => {
      const err = await refusal(await optionsFor({ NATS_URL: server.url, NATS_TLS_CA: tls.ca, NATS_TLS_CERT: tls.stranger.cert, NATS_TLS_KEY: tls.stranger.key }));
      assert.equal(err.reason, "tls");
      assert.match(err.message, /TLS failed: the server rejected the client certificate in NATS_TLS_CERT \(TLS alert: bad certificate\)$/);
    });

    it("fails when it does not trust the server's certificate", async () => {
      const err = await refusal(await optionsFor({ NATS_URL: server.url, NATS_TLS_CERT: tls.client.cert, NATS_TLS_KEY: tls.client.key }));
      assert.equal(err.reason, "tls");
      assert.match(err.message, /TLS failed: the server's certificate is not signed by a CA this process trusts \(.+\): set NATS_TLS_CA to the CA that signed it$/);
    });

    it("fails when TLS is configured and the server has none", async () => {
      const err = await refusal(await optionsFor({ NATS_URL: auth.url, NATS_USER: "ada", NATS_PASSWORD: "s3cret", NATS_TLS_CA: tls.ca }));
      assert.equal(err.reason, "tls");
      assert.match(err.message, /TLS is configured \(NATS_TLS_CA, NATS_TLS_CERT\) but the server does not offer it$/);
    });
  });

  describe("TLS settings", () => {
    it("refuses a bad file, naming its variable", async () => {
      const notPem = join(dir, "not.pem");
      await writeFile(notPem, "hello\n");
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ NATS_TLS_CERT: tls.client.cert }, "NATS_TLS_KEY", /NATS_TLS_CERT and NATS_TLS_KEY go together/],
        [{ NATS_TLS_KEY: tls.client.key }, "NATS_TLS_CERT", /NATS_TLS_CERT and NATS_TLS_KEY go together/],
        [{ NATS_TLS_CA: join(dir, "missing.pem") }, "NATS_TLS_CA", /cannot read .*missing\.pem: ENOENT/],
        [{ NATS_TLS_CA: notPem }, "NATS_TLS_CA", /not\.pem is not a PEM certificate/],
        [{ NATS_TLS_CERT: notPem, NATS_TLS_KEY: tls.client.key }, "NATS_TLS_CERT", /is not a PEM certificate/],
        [{ NATS_TLS_CERT: tls.client.cert, NATS_TLS_KEY: notPem }, "NATS_TLS_KEY", /is not an unencrypted PEM private key/],
        [{ NATS_TLS_CERT: tls.client.cert, NATS_TLS_KEY: tls.stranger.key }, "NATS_TLS_KEY", /stranger\.key is not the key of the certificate in NATS_TLS_CERT/],
      ];
      for (const [env, variable, message] of cases) {
        await assert.rejects(natsOptionsFromEnv(env, "x"), (err: unknown) => {
          assert.ok(ConfigError.is(err), String(err));
          assert.equal(err.variable, variable, JSON.stringify(env));
          assert.match(err.message, message);
          return true;
        });
      }
    });
  });
});

async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
