/**
 * `switchyard traffic …`: a service's traffic policy between its deployments, read and changed
 * through the admin API. Every change is a new revision in the bucket all gateways watch.
 */
import { readFile } from "node:fs/promises";
import {
  fetchHistory,
  fetchPolicies,
  fetchPolicy,
  putPolicy,
  removePolicy,
  rollbackPolicy,
  type AdminTarget,
  type PolicyView,
} from "../admin/index.js";
import { CliError } from "../http.js";
import type { Io } from "../io.js";
import { formatTable } from "../table.js";

export interface ShowOptions extends AdminTarget {
  service: string | undefined;
  json: boolean;
}

export async function trafficShowCommand(options: ShowOptions, io: Io): Promise<number> {
  if (options.service !== undefined) {
    const view = await fetchPolicy(options, options.service);
    io.stdout(options.json ? pretty(view) : describe(view));
    return 0;
  }
  const reply = await fetchPolicies(options);
  if (options.json) {
    io.stdout(pretty(reply));
    return 0;
  }
  if (reply.unavailable !== undefined) io.stderr(`switchyard: the traffic policies are unavailable: ${reply.unavailable}\n`);
  io.stdout(reply.policies.length === 0 ? "no traffic policies\n" : reply.policies.map(describe).join("\n"));
  return 0;
}

export interface SetOptions extends AdminTarget {
  service: string;
  /** JSON text, `@file` or `-` for stdin. */
  policy: string;
  comment: string | undefined;
  expectRevision: number | undefined;
}

export async function trafficSetCommand(options: SetOptions, io: Io): Promise<number> {
  const policy = await readPolicy(options.policy, io);
  const reply = await putPolicy(options, options.service, {
    policy,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    ...(options.expectRevision === undefined ? {} : { expectedRevision: options.expectRevision }),
  });
  reportChange(reply, io);
  return 0;
}

export interface WeightsOptions extends AdminTarget {
  service: string;
  /** `deployment=weight`, as typed. */
  weights: string[];
  comment: string | undefined;
}

export async function trafficWeightsCommand(options: WeightsOptions, io: Io): Promise<number> {
  const weights = new Map<string, number>();
  for (const entry of options.weights) {
    const match = /^([^=]+)=(\d+)$/.exec(entry);
    if (match === null) throw new CliError(`${JSON.stringify(entry)}: expected deployment=weight, e.g. users-rb=10`, 2);
    const [, name = "", weight = ""] = match;
    if (weights.has(name)) throw new CliError(`${name} is given twice`, 2);
    weights.set(name, Number(weight));
  }
  const comment = options.comment ?? `weights ${options.weights.join(" ")}`;
  return edit(options, comment, io, (policy) => ({ policy: { ...policy, weights: Object.fromEntries(weights) } }));
}

export interface ShadowOptions extends AdminTarget {
  service: string;
  deployment: string | undefined;
  off: boolean;
  fraction: number | undefined;
  ignore: string[];
  comment: string | undefined;
}

export async function trafficShadowCommand(options: ShadowOptions, io: Io): Promise<number> {
  if (options.off) {
    if (options.deployment !== undefined || options.fraction !== undefined || options.ignore.length > 0) {
      throw new CliError("--off takes no deployment, --fraction or --ignore", 2);
    }
    return edit(options, options.comment ?? "shadow off", io, ({ shadow, ...rest }) =>
      shadow === undefined ? { unchanged: "it has no shadow" } : { policy: rest },
    );
  }
  const { deployment } = options;
  if (deployment === undefined) throw new CliError("name the deployment to shadow to, or pass --off", 2);
  const shadow = {
    deployment,
    ...(options.fraction === undefined ? {} : { fraction: options.fraction }),
    ...(options.ignore.length === 0 ? {} : { ignore: options.ignore }),
  };
  const comment = options.comment ?? `shadow to ${deployment}${options.fraction === undefined ? "" : ` (fraction ${options.fraction})`}`;
  return edit(options, comment, io, (policy) => ({ policy: { ...policy, shadow } }));
}

export interface ServiceOptions extends AdminTarget {
  service: string;
}

export async function trafficHistoryCommand(options: ServiceOptions & { json: boolean }, io: Io): Promise<number> {
  const reply = await fetchHistory(options, options.service);
  if (options.json) {
    io.stdout(pretty(reply));
    return 0;
  }
  io.stdout(
    formatTable(
      [{ header: "REVISION", align: "right" }, { header: "CHANGED" }, { header: "COMMENT" }, { header: "POLICY" }],
      reply.revisions.map((r) => [
        String(r.revision),
        r.changedAt ?? "-",
        r.comment ?? "-",
        r.problem !== undefined ? `(unreadable: ${r.problem})` : r.removed ? "(removed)" : JSON.stringify(r.policy),
      ]),
    ),
  );
  return 0;
}

export async function trafficRollbackCommand(options: ServiceOptions & { to: number | undefined }, io: Io): Promise<number> {
  const reply = await rollbackPolicy(options, options.service, options.to);
  io.stdout(
    reply.revision === null
      ? `${reply.service}: policy removed (rolled back to no policy)\n`
      : `${reply.service}: revision ${reply.revision} (${reply.comment ?? "rollback"})\n`,
  );
  if (reply.problem !== undefined) notInForce(reply, io);
  return 0;
}

export async function trafficRemoveCommand(options: ServiceOptions, io: Io): Promise<number> {
  const reply = await removePolicy(options, options.service);
  io.stdout(`${reply.service}: policy removed\n`);
  return 0;
}

/** A policy changed, or why nothing needs to be written. */
type Change = { policy: Record<string, unknown> } | { unchanged: string };

/**
 * Reads the latest policy, changes one part, and writes it back expecting that revision, so that a
 * change made in between is a conflict (exit 1) rather than lost.
 */
async function edit(options: ServiceOptions, comment: string, io: Io, change: (policy: Record<string, unknown>) => Change): Promise<number> {
  const current = await fetchPolicy(options, options.service);
  const base = typeof current.policy === "object" && current.policy !== null ? (current.policy as Record<string, unknown>) : {};
  const changed = change(base);
  if ("unchanged" in changed) {
    io.stdout(`${options.service}: unchanged, ${changed.unchanged}\n`);
    return 0;
  }
  reportChange(await putPolicy(options, options.service, { policy: changed.policy, comment, expectedRevision: current.revision ?? 0 }), io);
  return 0;
}

/** The new revision on stdout; what the gateway warns about on stderr. */
function reportChange(reply: PolicyView & { warnings: string[] }, io: Io): void {
  io.stdout(`${reply.service}: revision ${reply.revision}\n`);
  for (const warning of reply.warnings) io.stderr(`switchyard: warning: ${warning}\n`);
  if (reply.problem !== undefined) notInForce(reply, io);
}

function notInForce(reply: PolicyView, io: Io): void {
  const inForce = reply.inForceRevision == null ? "no policy is" : `revision ${reply.inForceRevision} is`;
  io.stderr(`switchyard: warning: revision ${reply.revision} is not in force (${inForce}): ${reply.problem}\n`);
}

/** `<policy>` as JSON text, `@file` or `-` (stdin); checked to be JSON here, and as a policy by the gateway. */
async function readPolicy(source: string, io: Io): Promise<unknown> {
  let text = source;
  if (source === "-") text = await io.readStdin();
  else if (source.startsWith("@")) {
    try {
      text = await readFile(source.slice(1), "utf8");
    } catch (err) {
      throw new CliError(`cannot read the policy from ${source.slice(1)}: ${(err as Error).message}`, 2);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`the policy is not valid JSON: ${(err as Error).message}`, 2);
  }
}

function describe(view: PolicyView): string {
  if (view.revision === null) return `${view.service}: no policy\n`;
  const lines = [
    view.service,
    `  revision:  ${view.revision}`,
    `  in force:  ${view.inForceRevision ?? "none"}`,
    `  changed:   ${view.changedAt ?? "-"}`,
    `  comment:   ${view.comment ?? "-"}`,
    ...(view.problem === undefined ? [] : [`  problem:   ${view.problem}`]),
    "  policy:",
    JSON.stringify(view.policy, null, 2).replace(/^/gm, "    "),
  ];
  return lines.join("\n") + "\n";
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";
