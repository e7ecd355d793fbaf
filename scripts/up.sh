#!/usr/bin/env bash
# `make up`: nats-server (JetStream), the gateway on :3000, one TypeScript and two Ruby users
# instances and one inventory instance, each log line prefixed with its process; Ctrl-C (or
# `make down`) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

nats_port=${NATS_PORT:-4222}
export NATS_URL=${NATS_URL:-nats://127.0.0.1:$nats_port}
export PORT=${PORT:-3000}
mkdir -p .data/nats .run
echo $$ > .run/stack.pid
trap 'rm -f .run/stack.pid' EXIT

# The bundles of `npm run build`, with the gateway's heap settings (README, Performance).
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-semi-space-size=4 --max-old-space-size=96 --enable-source-maps"
wait_nats="scripts/wait-for-port 127.0.0.1 $nats_port"
users_rb="$wait_nats && cd services/users-rb && exec bundle exec bin/users-rb"
npx concurrently \
  --names "nats,gateway,users-ts,users-rb-1,users-rb-2,inventory-ts" \
  --prefix-colors "gray,cyan,blue,red,magenta,green" \
  --kill-others-on-fail \
  --kill-signal SIGTERM \
  "exec nats-server --jetstream --store_dir .data/nats --addr 127.0.0.1 --port $nats_port" \
  "$wait_nats && exec node dist/gateway.mjs" \
  "$wait_nats && exec node dist/users-ts.mjs" \
  "$users_rb" \
  "$users_rb" \
  "$wait_nats && exec node dist/inventory-ts.mjs"
