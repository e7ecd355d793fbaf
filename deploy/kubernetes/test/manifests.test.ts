/**
 * The Kubernetes manifests, rendered by kustomize (`kubectl kustomize`) as `kubectl apply -k` would,
 * against the Kubernetes API's schemas and what the processes and deploy/ actually are: probes on the paths and port the gateway
 * serves them on, a grace period longer than the preStop delay and the drain, resources, the
 * PodDisruptionBudget and autoscaler on the gateway, images deploy/ builds with the command it
 * runs, environment variables each process reads, and the NATS chart's values.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { natsOptionsFromEnv, SWITCHYARD_ROLES } from "@switchyard/protocol";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Service } from "kubernetes-models/v1";

/** The schema of every kind the manifests use, by apiVersion/kind. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
};

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const KUBERNETES = join(ROOT, "deploy/kubernetes");
/** Time the NATS drain may take after the requests in flight are answered, on top of REQUEST_TIMEOUT_MS. */
const NATS_DRAIN_S = 5;

/** The source folders whose code reads each container's environment. */
const SOURCES: Record<string, readonly string[]> = {
  gateway: ["packages/gateway/src", "packages/protocol/src", "packages/telemetry/src"],
  "users-ts": ["services/users-ts/src", "packages/service/src", "packages/protocol/src", "packages/telemetry/src"],
  "inventory-ts": ["services/inventory-ts/src", "packages/service/src", "packages/protocol/src", "packages/telemetry/src"],
  "users-rb": ["services/users-rb/lib", "services/users-rb/bin", "packages/service-rb/lib"],
};

// The few fields of Kubernetes objects the checks read.
interface EnvVar {
  name: string;
  value?: string;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    minReplicas?: number;
    maxReplicas?: number;
    minAvailable?: number | string;
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    ports?: { name?: string; port: number; targetPort: string | number }[];
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { terminationGracePeriodSeconds?: number; containers: Container[] };
    };
  };
}

function render(dir: string): K8sObject[] {
  let text: string;
  try {
    // stderr kept: today's kustomize warns that the v2-compatible fields are deprecated.
    text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    const stderr = String((err as { stderr?: unknown }).stderr ?? "");
    throw new Error(missing ? "kubectl not found: install it (it renders the kustomization, `kubectl kustomize`)" : `kubectl kustomize ${dir}: ${String(err)} ${stderr}`);
  }
  return parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
}

function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found !== undefined, `no ${kind} ${name} in the rendered manifests`);
  return found;
}

function containerOf(deployment: K8sObject): Container {
  const containers = deployment.spec?.template?.spec.containers ?? [];
  assert.equal(containers.length, 1, `${deployment.metadata.name}: one container`);
  return containers[0]!;
}

/** Kubernetes quantities as numbers: CPU in cores, memory in bytes. */
function quantity(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(text);
  assert.ok(match !== null, `not a quantity: ${text}`);
  const factor = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ""] ?? 1;
  return Number(match[1]) * factor;
}

/** The text of every source file under `dirs`, for looking up the variables a process reads. */
function sourceText(dirs: readonly string[]): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|rb)$/.test(name) || !name.includes(".")) texts.push(readFileSync(path, "utf8"));
    }
  };
  for (const dir of dirs) walk(join(ROOT, dir));
  return texts.join("\n");
}

/** The environment a container is given by name: its `env` and the ConfigMaps it takes whole. */
function envOf(container: Container, objects: readonly K8sObject[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef === undefined) continue;
    for (const [name, value] of Object.entries(find(objects, "ConfigMap", from.configMapRef.name).data ?? {})) env.set(name, value);
  }
  for (const variable of container.env ?? []) env.set(variable.name, variable.value ?? "");
  return env;
}

interface ComposeService {
  build?: { dockerfile?: string; args?: Record<string, string> };
  command?: string[];
}

describe("Kubernetes manifests (deploy/kubernetes)", () => {
  let base: K8sObject[];
  let example: K8sObject[];
  let compose: Record<string, ComposeService>;
  before(() => {
    base = render(join(KUBERNETES, "base"));
    example = render(join(KUBERNETES, "overlays/example"));
    compose = (parse(readFileSync(join(ROOT, "deploy/compose.yaml"), "utf8")) as { services: Record<string, ComposeService> }).services;
  });

  for (const variant of ["base", "overlays/example"] as const) {
    describe(variant, () => {
      const objects = (): K8sObject[] => (variant === "base" ? base : example);

      it("is valid against the Kubernetes API's schemas (kubernetes-models, Kubernetes 1.27 OpenAPI)", () => {
        for (const object of objects()) {
          const Model = MODELS[`${object.apiVersion}/${object.kind}`];
          assert.ok(Model, `${object.apiVersion} ${object.kind} has no schema here: add it to MODELS`);
          assert.doesNotThrow(() => new Model(object as never).validate(), `${object.kind} ${object.metadata.name}`);
        }
      });

      it("runs the gateway as a Deployment of two replicas or more, probed on the port that serves /readyz and /healthz", () => {
        const gateway = find(objects(), "Deployment", "gateway");
        assert.ok((gateway.spec?.replicas ?? 1) >= 2, "gateway replicas >= 2");
        const container = containerOf(gateway);
        const env = envOf(container, objects());
        // /healthz and /readyz answer on ADMIN_PORT when it is set, on PORT otherwise.
        const probePort = Number(env.get("ADMIN_PORT") ?? env.get("PORT") ?? 3000);
        for (const [probe, path] of [
          [container.readinessProbe, "/readyz"],
          [container.livenessProbe, "/healthz"],
        ] as const) {
          assert.equal(probe?.httpGet?.path, path);
          const port = probe.httpGet.port;
          const number = typeof port === "number" ? port : container.ports?.find((p) => p.name === port)?.containerPort;
          assert.equal(number, probePort, `${path} is probed on port ${String(port)}, the gateway serves it on ${probePort}`);
        }
        if (env.has("ADMIN_PORT")) assert.equal(env.get("ADMIN_HOST"), "0.0.0.0", "the kubelet probes the pod's address, not loopback");
      });

      it("gives the gateway a preStop delay and a grace period longer than the delay and the drain", () => {
        const gateway = find(objects(), "Deployment", "gateway");
        const container = containerOf(gateway);
        const preStop = container.lifecycle?.preStop;
        const command = preStop?.exec?.command;
        const delayS = preStop?.sleep?.seconds ?? (command?.[0] === "sleep" ? Number(command[1]) : NaN);
        assert.ok(delayS > 0, "a preStop sleep");
        const drainS = Number(envOf(container, objects()).get("REQUEST_TIMEOUT_MS") ?? 5000) / 1000 + NATS_DRAIN_S;
        const graceS = gateway.spec?.template?.spec.terminationGracePeriodSeconds ?? 30;
        assert.ok(graceS > delayS + drainS, `grace ${graceS} s, preStop ${delayS} s + drain ${drainS} s`);
      });

      it("keeps a gateway through disruptions and scales it on CPU", () => {
        const gateway = find(objects(), "Deployment", "gateway");
        const labels = gateway.spec?.template?.metadata.labels ?? {};
        const pdb = find(objects(), "PodDisruptionBudget", "gateway");
        const selector = (pdb.spec?.selector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
        assert.ok(Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v), "the PDB selects the gateway's pods");
        assert.ok(Number(pdb.spec?.minAvailable) >= 1 && Number(pdb.spec?.minAvailable) < (gateway.spec?.replicas ?? 1), "minAvailable leaves room for a node drain");
        const hpa = find(objects(), "HorizontalPodAutoscaler", "gateway");
        assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "gateway" });
        assert.ok((hpa.spec?.minReplicas ?? 1) >= 2 && (hpa.spec?.maxReplicas ?? 0) >= (hpa.spec?.minReplicas ?? 1));
        const service = find(objects(), "Service", "gateway");
        assert.ok(Object.entries((service.spec?.selector as Record<string, string>) ?? {}).every(([k, v]) => labels[k] === v), "the Service selects the gateway's pods");
        for (const port of service.spec?.ports ?? []) {
          assert.ok(containerOf(gateway).ports?.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort), `Service port ${port.name} targets a container port`);
        }
      });

      it("runs every process as a Deployment with resources requested and limited, selectors matching its pods", () => {
        const deployments = objects().filter((o) => o.kind === "Deployment");
        assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ["gateway", "inventory-ts", "users-rb", "users-ts"]);
        for (const deployment of deployments) {
          const labels = deployment.spec?.template?.metadata.labels ?? {};
          const selector = (deployment.spec?.selector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
          assert.ok(Object.entries(selector).every(([k, v]) => labels[k] === v), `${deployment.metadata.name}: selector matches the template`);
          const { requests = {}, limits = {} } = containerOf(deployment).resources ?? {};
          for (const resource of ["cpu", "memory"]) {
            assert.ok(requests[resource] !== undefined && limits[resource] !== undefined, `${deployment.metadata.name}: ${resource} requested and limited`);
            assert.ok(quantity(requests[resource]!) <= quantity(limits[resource]!), `${deployment.metadata.name}: ${resource} request <= limit`);
          }
        }
      });

      it("names the images deploy/ builds, with the command their Dockerfiles and compose.yaml run", () => {
        for (const deployment of objects().filter((o) => o.kind === "Deployment")) {
          const container = containerOf(deployment);
          const image = /(?:^|\/)switchyard-([a-z-]+?)(?::[\w.-]+)?$/.exec(container.image);
          assert.ok(image !== null, `${deployment.metadata.name}: image ${container.image} is not a switchyard-<service> image`);
          const service = compose[image[1]!];
          assert.ok(service?.build?.dockerfile !== undefined, `${container.image}: compose.yaml builds no ${image[1]} service`);
          assert.ok(existsSync(join(ROOT, service.build.dockerfile)), `${service.build.dockerfile} exists`);
          if (service.build.dockerfile.endsWith("node-service.Dockerfile")) {
            assert.equal(service.build.args?.["SERVICE"], image[1], `${image[1]}: the bundle the image is built with`);
          }
          assert.equal(image[1], deployment.metadata.name);
          assert.deepEqual(container.command, service.command, `${deployment.metadata.name}: the command compose.yaml runs`);
        }
      });

      it("sets only environment variables the process reads, and NATS settings it accepts", async () => {
        for (const deployment of objects().filter((o) => o.kind === "Deployment")) {
          const container = containerOf(deployment);
          const dirs = SOURCES[container.name];
          assert.ok(dirs !== undefined, `no sources known for container ${container.name}`);
          const source = sourceText(dirs);
          const env = envOf(container, objects());
          for (const name of env.keys()) {
            assert.ok(new RegExp(`["'\`]${name}["'\`]`).test(source), `${container.name} sets ${name}, which nothing in ${dirs.join(", ")} reads`);
          }
          await natsOptionsFromEnv(Object.fromEntries(env), "manifest-check");
          const secrets = (container.envFrom ?? []).flatMap((f) => (f.secretRef === undefined ? [] : [f.secretRef.name]));
          assert.equal(secrets.length, 1, `${container.name}: the NATS credentials of one role`);
          assert.ok(SWITCHYARD_ROLES.some((r) => secrets[0] === `switchyard-nats-${r.name}`), `${secrets[0]} is switchyard-nats-<role>`);
        }
      });
    });
  }

  it("puts every object of the example in its namespace, with the namespace itself", () => {
    const namespace = find(example, "Namespace", "switchyard");
    for (const object of example.filter((o) => o !== namespace)) assert.equal(object.metadata.namespace, "switchyard", `${object.kind} ${object.metadata.name}`);
  });

  it("gives the NATS chart a 3-node cluster, JetStream on volumes and the credentials Secret at the path it includes", () => {
    const values = parse(readFileSync(join(KUBERNETES, "nats/values.yaml"), "utf8")) as {
      config: { cluster: { enabled: boolean; replicas: number }; jetstream: { enabled: boolean; fileStore: { pvc: { size: string } } }; merge: Record<string, string> };
      container: { patch: { value: { name: string; mountPath: string } }[] };
      podTemplate: { patch: { value: { name: string; secret?: { secretName: string } } }[] };
    };
    assert.deepEqual([values.config.cluster.enabled, values.config.cluster.replicas, values.config.jetstream.enabled], [true, 3, true]);
    assert.ok(quantity(values.config.jetstream.fileStore.pvc.size) > 0);
    const include = Object.entries(values.config.merge).find(([key]) => key.endsWith("$include"))?.[1];
    const mount = values.container.patch.map((p) => p.value).find((v) => include?.startsWith(`${v.mountPath.replace("/etc/nats-config/", "")}/`));
    assert.ok(mount !== undefined, `the included ${include} is in a mounted volume`);
    const volume = values.podTemplate.patch.map((p) => p.value).find((v) => v.name === mount.name);
    assert.equal(volume?.secret?.secretName, "switchyard-nats-server");
  });
});
