/**
 * Checks that compose into the shape of an admin reply (`object<T>` insists on a check for every
 * field of T), and the shapes several replies share.
 */
import type { DeploymentInfo, FieldCount, InstanceInfo, PolicyView, RouteInfo } from "./types.js";

export type Check = (value: unknown, path: string) => void;
export type ObjectCheck<T> = Check & { fields: Record<keyof T, Check> };

export class ShapeMismatch extends Error {}

export function is(expected: string, test: (value: unknown) => boolean): Check {
  return (value, path) => {
    if (!test(value)) throw new ShapeMismatch(`${path === "" ? "the reply" : path} is not ${expected}`);
  };
}

export const string = is("a string", (v) => typeof v === "string");
export const number = is("a number", (v) => typeof v === "number" && Number.isFinite(v));
export const boolean = is("true or false", (v) => typeof v === "boolean");
export const oneOf = (...values: readonly string[]): Check => is(`one of ${values.join(", ")}`, (v) => values.includes(v as string));
export const anything: Check = () => undefined;
export const isObject = is("an object", (v) => typeof v === "object" && v !== null && !Array.isArray(v));
export const list = (check: Check): Check => (value, path) => {
  is("a list", Array.isArray)(value, path);
  (value as unknown[]).forEach((item, i) => check(item, `${path}[${i}]`));
};
export const nullable = (check: Check): Check => (value, path) => value === null || check(value, path);
export const optional = (check: Check): Check => (value, path) => value === undefined || check(value, path);

export function object<T>(fields: Record<keyof T, Check>): ObjectCheck<T> {
  const check: Check = (value, path) => {
    isObject(value, path);
    for (const [name, field] of Object.entries<Check>(fields)) {
      field((value as Record<string, unknown>)[name], path === "" ? name : `${path}.${name}`);
    }
  };
  return Object.assign(check, { fields });
}

export const counts: Check = (value, path) => {
  isObject(value, path);
  for (const [name, n] of Object.entries(value as object)) number(n, `${path}.${name}`);
};

// Shapes that more than one reply contains.
export const route = object<RouteInfo>({ method: string, path: string, rpc: string, subject: string });
export const instance = object<InstanceInfo>({
  service: string,
  language: string,
  version: string,
  deployment: string,
  id: string,
  natsServer: string,
  requests: number,
  errors: number,
  averageProcessingMs: number,
});
export const deployment = object<DeploymentInfo>({
  deployment: string,
  instances: number,
  weight: nullable(number),
  weightShare: nullable(number),
  share: number,
  rps: number,
  errorRate: number,
  p50Ms: nullable(number),
  p99Ms: nullable(number),
  fallbacks: number,
});
export const fieldCount = object<FieldCount>({ field: string, mismatches: number });
export const policyView = object<PolicyView>({
  service: string,
  revision: nullable(number),
  policy: anything,
  comment: optional(nullable(string)),
  changedAt: optional(nullable(string)),
  inForceRevision: optional(nullable(number)),
  problem: optional(string),
});
