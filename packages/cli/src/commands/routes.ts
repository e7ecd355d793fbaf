/** `switchyard routes`: every route with the RPC and NATS subject behind it. */
import { fetchRoutes, type AdminTarget } from "../admin/index.js";
import type { Io } from "../io.js";
import { formatTable } from "../table.js";

export interface RoutesOptions extends AdminTarget {
  json: boolean;
}

export async function routesCommand(options: RoutesOptions, io: Io): Promise<number> {
  const reply = await fetchRoutes(options);
  if (options.json) {
    io.stdout(JSON.stringify(reply, null, 2) + "\n");
    return 0;
  }
  io.stdout(
    formatTable(
      [{ header: "METHOD" }, { header: "PATH" }, { header: "RPC" }, { header: "SUBJECT" }],
      reply.routes.map((r) => [r.method, r.path, r.rpc, r.subject]),
    ),
  );
  return 0;
}
