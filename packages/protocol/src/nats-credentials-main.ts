// `node dist/nats-credentials.mjs [--reuse] [--owner uid:gid] <dir>`: one NATS user per process
// role with a random password and least-privilege permissions (nats-credentials.ts). `make up` runs it
// on every start (.run/nats); compose runs it once per volume with --reuse.
import { parseArgs } from "node:util";
import { SERVER_CONFIG_FILE, writeNatsCredentials } from "./nats-credentials.js";

const usage = "usage: nats-credentials [--reuse] [--owner uid:gid] <dir>";
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { reuse: { type: "boolean" }, owner: { type: "string" } } });
} catch (err) {
  console.error(`nats-credentials: ${(err as Error).message}\n${usage}`);
  process.exit(2);
}
const [dir, ...extra] = parsed.positionals;
const owner = parsed.values.owner === undefined ? undefined : /^(\d+):(\d+)$/.exec(parsed.values.owner);
if (dir === undefined || extra.length > 0 || owner === null) {
  console.error(usage);
  process.exit(2);
}

try {
  const written = await writeNatsCredentials(dir, {
    reusePasswords: parsed.values.reuse === true,
    ...(owner === undefined ? {} : { owner: { uid: Number(owner[1]), gid: Number(owner[2]) } }),
  });
  console.log(`nats-credentials: ${[...written.roles.keys()].join(", ")} in ${dir} (nats-server: ${SERVER_CONFIG_FILE}; each role: <role>/nats.env)`);
} catch (err) {
  console.error(`nats-credentials: cannot write ${dir}: ${(err as Error).message}`);
  process.exit(1);
}
