/**
 * `make load-test`: POST /users on a running stack (make up) with unique users, then throughput and
 * latency percentiles. A measurement, not a test: it fails only when the stack cannot be reached.
 */
import autocannon from "autocannon";
import { envNumber } from "./env.js";
import { createUser } from "./requests.js";

const target = (process.env["TARGET"] ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
const connections = envNumber("CONNECTIONS", 50);
const duration = envNumber("DURATION", 60);

try {
  await fetch(`${target}/`, { signal: AbortSignal.timeout(3000) }).then((res) => res.arrayBuffer());
} catch (err) {
  const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  console.error(`${target} is not reachable (${reason}): start the stack with make up`);
  process.exit(1);
}

console.error(`POST ${target}/users: ${connections} connections, ${duration} s`);
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const options = { url: target, connections, duration, requests: createUser.requests };
  const instance = autocannon(options, (err: unknown, res) => (err ? reject(err as Error) : resolve(res)));
  autocannon.track(instance, { renderResultsTable: false });
  // Ctrl-C ends the run early and still prints what was measured.
  process.once("SIGINT", () => instance.stop());
});

const { latency } = result;
const statuses = Object.entries(result.statusCodeStats ?? {})
  .map(([code, { count }]) => `${code}: ${count ?? 0}`)
  .join(", ");
console.log(
  [
    `requests    ${result.requests.total} in ${result.duration} s`,
    `throughput  ${result.requests.average.toFixed(0)} req/s (min ${result.requests.min}, max ${result.requests.max})`,
    `latency ms  p50 ${latency.p50}  p90 ${latency.p90}  p99 ${latency.p99}  max ${latency.max}`,
    `statuses    ${statuses || "none"}`,
    `non-2xx     ${result.non2xx}`,
    `errors      ${result.errors} (timeouts ${result.timeouts})`,
  ].join("\n"),
);
