/**
 * The service behind the curves' generated contracts, on the project's SDK, carrying its contracts
 * so that a gateway with ACCEPT_SERVICE_CONTRACTS serves their routes as production would: Echo
 * (`POST /echo`, the batch back as it came) and, with BENCH_ROUTES=n, the n RPCs of many-routes.ts
 * (`GET /r<i>/{id}`, the id back). NATS_URL as every process.
 */
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { connect } from "@nats-io/transport-node";
import { serve, type RunningService } from "@switchyard/service";
import { echoService } from "./echo-contract.js";
import { envNumber } from "./env.js";
import { manyRoutesService } from "./many-routes.js";

const nc = await connect({ servers: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222", noAsyncTraces: true });
const routes = envNumber("BENCH_ROUTES", 0);

type AnyService = GenService<GenServiceMethods>;
const running: RunningService[] = [
  await serve({ nc, service: echoService() as AnyService, implementation: { echo: (batch: unknown) => batch }, name: "bench-echo", version: "0.1.0" }),
];
if (routes > 0) {
  const service = manyRoutesService(routes);
  const implementation = Object.fromEntries(service.methods.map((m) => [m.localName, (req: { id: string }) => ({ id: req.id })]));
  running.push(await serve({ nc, service: service as AnyService, implementation, name: "bench-routes", version: "0.1.0" }));
}

const stop = (): void => {
  void Promise.all(running.map((s) => s.stop()))
    .then(() => nc.drain())
    .finally(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
