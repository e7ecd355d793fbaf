import { ConfigError } from "./config-error.js";

/**
 * A deployment names one build of one implementation (`users-ts`, `users-rb`, `users-rb-2`). It is
 * a NATS subject token, an endpoint name and a queue group name at once, so it keeps to the
 * characters all three allow.
 */
export const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const PREFIX = "switchyard.deployment.";

/** Where the RPC `rpcSubject` is served by the instances of `deployment` alone. */
export function deploymentSubject(deployment: string, rpcSubject: string): string {
  return `${PREFIX}${deployment}.${rpcSubject}`;
}

/** The RPC subject an endpoint subject serves: itself, or the RPC under a deployment's prefix. */
export function rpcSubjectOf(subject: string): string {
  if (!subject.startsWith(PREFIX)) return subject;
  const dot = subject.indexOf(".", PREFIX.length);
  return dot === -1 ? subject : subject.slice(dot + 1);
}

/**
 * The NATS micro endpoint serving an RPC for one deployment: `GetUser-users-rb`. RPC names cannot
 * hold a dash, so the first dash always separates the two.
 */
export function deploymentEndpointName(rpcName: string, deployment: string): string {
  return `${rpcName}-${deployment}`;
}

/**
 * The deployment an instance belongs to: SWITCHYARD_DEPLOYMENT, or the SDK's default, the service
 * name with a suffix for the language (`users-ts`).
 */
export function deploymentFromEnv(env: Readonly<Record<string, string | undefined>>, fallback: string): string {
  const given = env["SWITCHYARD_DEPLOYMENT"];
  const name = given === undefined || given === "" ? fallback : given;
  if (!DEPLOYMENT_NAME.test(name)) {
    throw new ConfigError(
      "SWITCHYARD_DEPLOYMENT",
      `"${name}" is not a deployment name: 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  return name;
}
