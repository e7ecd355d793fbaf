#!/usr/bin/env bash
# `make up`: nats-server (JetStream), the gateway on :3000, USERS_TS TypeScript (default 1) and
# USERS_RB Ruby (default 2) users instances and one inventory instance, each log line prefixed with
# its process; Ctrl-C (or `make down`) stops them all.
#
# NATS is never anonymous: each run writes new credentials to .run/nats (dist/nats-credentials.mjs),
# one NATS user per process role with least-privilege permissions, starts nats-server with them
# (.run/nats/nats-server/auth.conf) and each process with its role's (.run/nats/<role>/nats.env,
# through scripts/with-nats-role). They are removed when the stack stops.
#
# With NATS_URL set, the stack uses that NATS instead: no nats-server is started and no credentials
# are written; every process gets the NATS_* settings of this environment as they are (NATS_USER +
# NATS_PASSWORD, NATS_CREDS or NATS_TOKEN, NATS_TLS_CA, NATS_TLS_CERT + NATS_TLS_KEY).
set -euo pipefail
cd "$(dirname "$0")/.."

nats_port=${NATS_PORT:-4222}
export PORT=${PORT:-3000}
users_ts=${USERS_TS:-1}
users_rb=${USERS_RB:-2}
mkdir -p .data/nats .run
echo $$ > .run/stack.pid
trap 'rm -f .run/stack.pid; rm -rf .run/nats' EXIT

# The bundles of `npm run build`, with the gateway's heap settings (README, Performance).
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-semi-space-size=4 --max-old-space-size=96 --enable-source-maps"
names=()
colors=()
commands=()
if [ -n "${NATS_URL:-}" ]; then
  echo "up: using the NATS at NATS_URL (no nats-server started, no credentials written): every process gets this environment's NATS_* settings"
  rm -rf .run/nats
  wait_nats=true
  role() { echo "exec"; }
else
  export NATS_URL=nats://127.0.0.1:$nats_port
  node dist/nats-credentials.mjs .run/nats
  wait_nats="scripts/wait-for-port 127.0.0.1 $nats_port"
  role() { echo "exec '$PWD/scripts/with-nats-role' $1"; }
  names+=(nats)
  colors+=(gray)
  commands+=("exec nats-server -c .run/nats/nats-server/auth.conf --jetstream --store_dir .data/nats --addr 127.0.0.1 --port $nats_port")
fi
names+=(gateway); colors+=(cyan); commands+=("$wait_nats && $(role gateway) node dist/gateway.mjs")
for i in $(seq "$users_ts"); do
  names+=("users-ts-$i"); colors+=(blue); commands+=("$wait_nats && $(role users) node dist/users-ts.mjs")
done
for i in $(seq "$users_rb"); do
  names+=("users-rb-$i"); colors+=(red); commands+=("$wait_nats && cd services/users-rb && $(role users) bundle exec bin/users-rb")
done
names+=(inventory-ts); colors+=(green); commands+=("$wait_nats && $(role inventory) node dist/inventory-ts.mjs")

npx concurrently \
  --names "$(IFS=,; echo "${names[*]}")" \
  --prefix-colors "$(IFS=,; echo "${colors[*]}")" \
  --kill-others-on-fail \
  --kill-signal SIGTERM \
  "${commands[@]}"
