import { nuid, type NatsConnection } from "@nats-io/transport-node";
import { contractFiles } from "@switchyard/contracts";
import { ConfigError, connectNats, NatsConnectError } from "@switchyard/protocol";
import { startTracing } from "@switchyard/telemetry";
import type { FastifyInstance } from "fastify";
import { loadConfig } from "./config.js";
import { isPrimaryOf, superviseWorkers } from "./cluster.js";
import { buildAdmin } from "./http/admin-app.js";
import { buildGateway } from "./http/app.js";
import { RouteError } from "./routes/route.js";
import { unmatchedNames } from "./auth/index.js";
import { GATEWAY_VERSION } from "./version.js";

let config;
try {
  config = await loadConfig(process.env);
} catch (err) {
  if (!ConfigError.is(err)) throw err;
  console.error(`switchyard-gateway: bad configuration: ${err.message}`);
  process.exit(2);
}
// GATEWAY_PROCESSES over 1: this process forks the gateways that serve and only supervises them.
if (isPrimaryOf(config.processes)) process.exit(await superviseWorkers(config.processes, (line) => console.error(`switchyard-gateway: ${line}`)));

// A NATS not up yet is waited for (a line every 10 s); refused credentials or TLS exit 1 with one line.
const natsLog = (line: string) => console.error(`switchyard-gateway: ${line}`);
let nc: NatsConnection;
try {
  nc = await connectNats(config.nats, { info: natsLog, error: natsLog });
} catch (err) {
  if (!NatsConnectError.is(err)) throw err;
  natsLog(err.message);
  process.exit(1);
}
const appConfig = { ...config, adminOnMainPort: config.adminPort === undefined };
// On only when the OTLP variables are set; off, no span is made at all.
const tracing = startTracing({ serviceName: "switchyard-gateway", serviceVersion: GATEWAY_VERSION, attributes: { "service.instance.id": nuid.next() } });
let app: FastifyInstance;
try {
  app = buildGateway({
    nc,
    services: contractFiles.flatMap((f) => f.services),
    config: appConfig,
    tracer: tracing?.tracer,
    inboxPrefix: config.nats.inboxPrefix,
  });
} catch (err) {
  if (!(err instanceof RouteError)) throw err;
  console.error(`switchyard-gateway: the contracts' routes are invalid: ${err.message}`);
  process.exit(2);
}
const apps = [app];

for (const route of app.routeTable.routes) {
  app.log.info(`route ${route.verb} ${route.template.source} -> ${route.subject}`);
}
for (const binding of app.routeTable.refused) {
  app.log.warn(`binding not served: ${binding.verb ?? "?"} ${binding.path} -> ${binding.subject}: ${binding.reason}`);
}
if (config.auth === undefined) {
  app.log.info("HTTP auth: off (no AUTH_* variable set): every route is open to any client");
} else {
  // A misspelt RPC name would leave the RPC meant open: say so (routes live services bring may still match).
  for (const name of unmatchedNames(config.auth, app.routeTable.routes)) app.log.warn(`HTTP auth: AUTH_REQUIRE or AUTH_SCOPES names ${name}, which no route has`);
}
await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
if (config.adminPort !== undefined) {
  const admin = buildAdmin(app, appConfig);
  await admin.listen({ port: config.adminPort, host: config.adminHost });
  apps.push(admin);
}
app.log.info(`NATS ${nc.getServer()}${tracing === undefined ? "" : "; tracing: spans exported over OTLP/HTTP"}`);

// Stop taking connections, let requests in flight finish, then drain NATS so no reply is lost.
// The listeners stay: a second signal must not kill the drain the first one started.
let closing = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: closing`);
    void Promise.all(apps.map((a) => a.close()))
      .then(() => nc.drain())
      .then(() => tracing?.shutdown())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          // NATS went away first (it stops with the rest of `make up`): nothing is left to drain.
          app.log.warn({ err }, "NATS closed before the drain completed");
          process.exit(0);
        },
      );
  });
}
