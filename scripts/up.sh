#!/usr/bin/env bash
# `make up`: nats-server (JetStream), the gateway on :3000, USERS_TS TypeScript (default 1) and
# USERS_RB Ruby (default 2) users instances and one inventory instance, each log line prefixed with
# its process; Ctrl-C (or `make down`) stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

nats_port=${NATS_PORT:-4222}
export NATS_URL=${NATS_URL:-nats://127.0.0.1:$nats_port}
export PORT=${PORT:-3000}
users_ts=${USERS_TS:-1}
users_rb=${USERS_RB:-2}
mkdir -p .data/nats .run
echo $$ > .run/stack.pid
trap 'rm -f .run/stack.pid' EXIT

# The bundles of `npm run build`, with the gateway's heap settings (README, Performance).
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-semi-space-size=4 --max-old-space-size=96 --enable-source-maps"
wait_nats="scripts/wait-for-port 127.0.0.1 $nats_port"
names=(nats gateway)
colors=(gray cyan)
commands=("exec nats-server --jetstream --store_dir .data/nats --addr 127.0.0.1 --port $nats_port" "$wait_nats && exec node dist/gateway.mjs")
for i in $(seq "$users_ts"); do
  names+=("users-ts-$i"); colors+=(blue); commands+=("$wait_nats && exec node dist/users-ts.mjs")
done
for i in $(seq "$users_rb"); do
  names+=("users-rb-$i"); colors+=(red); commands+=("$wait_nats && cd services/users-rb && exec bundle exec bin/users-rb")
done
names+=(inventory-ts); colors+=(green); commands+=("$wait_nats && exec node dist/inventory-ts.mjs")

npx concurrently \
  --names "$(IFS=,; echo "${names[*]}")" \
  --prefix-colors "$(IFS=,; echo "${colors[*]}")" \
  --kill-others-on-fail \
  --kill-signal SIGTERM \
  "${commands[@]}"
