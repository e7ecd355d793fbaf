/** `switchyard routes`: every route with the RPC and NATS subject behind it. */
import { fetchRoutes } from "../admin.js";
import type { Io } from "../io.js";
import { formatTable } from "../table.js";

export interface RoutesOptions {
  admin: string;
  json: boolean;
  timeoutMs: number;
}

export async function routesCommand(options: RoutesOptions, io: Io): Promise<number> {
  const routes = await fetchRoutes(options.admin, options.timeoutMs);
  if (options.json) {
    io.stdout(JSON.stringify({ routes }, null, 2) + "\n");
    return 0;
  }
  io.stdout(
    formatTable(
      [{ header: "METHOD" }, { header: "PATH" }, { header: "RPC" }, { header: "SUBJECT" }],
      routes.map((r) => [r.method, r.path, r.rpc, r.subject]),
    ),
  );
  return 0;
}
