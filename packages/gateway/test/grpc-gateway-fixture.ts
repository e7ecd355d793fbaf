/**
 * grpc-gateway's example contracts (fixtures/grpc-gateway, origin in its README) compiled with buf,
 * a gateway serving them, and one SDK service per contract service that records every request it
 * gets and answers with the request itself when the reply has the same type (an echo), else with an
 * empty reply.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, createFileRegistry, fromBinary, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { buildGateway, type AppConfig } from "@switchyard/gateway";
import { serve, type RunningService } from "@switchyard/service";
import { REPO_ROOT, startNatsServer, type NatsServer } from "@switchyard/testing";
import type { FastifyInstance } from "fastify";
import { testConfig } from "./harness.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/grpc-gateway", import.meta.url));
const PACKAGE = "grpc.gateway.examples.internal.proto.examplepb";

/** The example services by their short names: ABitOfEverythingService, WrappersService, StreamService... */
export async function exampleServices(): Promise<Map<string, DescService>> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-grpc-gateway-"));
  try {
    await cp(FIXTURES, dir, { recursive: true });
    for (const sub of ["api", "rpc"]) await cp(join(REPO_ROOT, "node_modules/google-proto-files/google", sub), join(dir, "google", sub), { recursive: true });
    await writeFile(join(dir, "buf.yaml"), "version: v2\n");
    const out = join(dir, "set.binpb");
    await promisify(execFile)(join(REPO_ROOT, "node_modules/.bin/buf"), ["build", "--path", "examples", "-o", out], { cwd: dir });
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(out)));
    const services = new Map<string, DescService>();
    for (const file of registry.files) {
      for (const service of file.services) if (service.typeName.startsWith(`${PACKAGE}.`)) services.set(service.name, service);
    }
    return services;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Received {
  readonly method: string;
  readonly request: Message;
}

export interface ExampleStack {
  readonly app: FastifyInstance;
  readonly services: Map<string, DescService>;
  /** Every request the services got, oldest first. */
  readonly received: Received[];
  /** The last request `method` (e.g. "ABitOfEverythingService.Custom") got. */
  last(method: string): Message;
  close(): Promise<void>;
}

/** A nats-server, the example services behind it and a gateway serving their contracts. */
export async function startExampleStack(config: Partial<AppConfig> = {}, names = ["ABitOfEverythingService", "WrappersService", "StreamService"]): Promise<ExampleStack> {
  const services = await exampleServices();
  const ns: NatsServer = await startNatsServer();
  const nc: NatsConnection = await connect({ servers: ns.url, noAsyncTraces: true });
  const received: Received[] = [];
  const running: RunningService[] = [];
  const served = names.map((name) => services.get(name)!);
  for (const service of served) {
    running.push(
      await serve({
        nc,
        service: service as GenService<GenServiceMethods>,
        implementation: echoes(service, received),
        name: service.name.toLowerCase(),
        version: "1.0.0",
        logger: { info: () => undefined, error: () => undefined },
      }),
    );
  }
  const app = buildGateway({ nc, services: served, config: { ...testConfig, ...config } });
  await app.ready();
  return {
    app,
    services,
    received,
    last(method) {
      const found = received.findLast((r) => r.method === method);
      if (found === undefined) throw new Error(`${method} got no request`);
      return found.request;
    },
    async close() {
      await app.close();
      for (const s of running) await s.stop();
      await nc.close();
      await ns.stop();
    },
  };
}

function echoes(service: DescService, received: Received[]): Record<string, (request: Message) => Message> {
  const handlers: Record<string, (request: Message) => Message> = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    handlers[method.localName] = (request) => {
      received.push({ method: `${service.name}.${method.name}`, request });
      return answer(method, request);
    };
  }
  return handlers;
}

function answer(method: DescMethod, request: Message): Message {
  if (method.output.typeName === method.input.typeName) return request;
  return create(method.output);
}
