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
# With CLUSTER=N (N >= 3 keeps a JetStream quorum with a node down; `make up CLUSTER=3`), N
# nats-servers clustered on loopback instead (clients on 4222.., routes on 6222.., JetStream stores
# in .data/nats-cluster/nK; NATS_PORT and NATS_ROUTE_PORT move the first of each), all with the same per-role credentials, and a second gateway on PORT+1.
# Each process is given one node as its seed, round robin, so gateways and services sit on
# different nodes; each learns the others from the cluster and moves to one when its node goes.
# Buckets are created with 3 replicas there (NATS_KV_REPLICAS overrides).
#
# With NATS_URL set, the stack uses that NATS instead: no nats-server is started and no credentials
# are written; every process gets the NATS_* settings of this environment as they are (NATS_USER +
# NATS_PASSWORD, NATS_CREDS or NATS_TOKEN, NATS_TLS_CA, NATS_TLS_CERT + NATS_TLS_KEY).
set -euo pipefail
cd "$(dirname "$0")/.."

nats_port=${NATS_PORT:-4222}
route_port=${NATS_ROUTE_PORT:-6222}
export PORT=${PORT:-3000}
users_ts=${USERS_TS:-1}
users_rb=${USERS_RB:-2}
nodes=${CLUSTER:-}
if [ -n "$nodes" ] && ! [[ "$nodes" =~ ^[2-9]$ ]]; then
  echo "up: CLUSTER=$nodes: give a number of nats-servers from 2 to 9 (3 is the one to use)" >&2
  exit 2
fi
if [ -n "$nodes" ] && [ -n "${NATS_URL:-}" ]; then
  echo "up: CLUSTER and NATS_URL exclude each other: CLUSTER starts its own nats-servers" >&2
  exit 2
fi
mkdir -p .data/nats .run
echo $$ > .run/stack.pid
trap 'rm -f .run/stack.pid; rm -rf .run/nats' EXIT

# The bundles of `npm run build`, with the gateway's heap settings (README, Performance).
export NODE_OPTIONS="${NODE_OPTIONS:-} --max-semi-space-size=4 --max-old-space-size=96 --enable-source-maps"
names=()
colors=()
commands=()
# next_seed sets what a process's command starts with: wait_nats (until its NATS listens) and
# nats_env (its NATS_URL: on a cluster the next node in turn; elsewhere none, the exported one).
nats_env=
if [ -n "${NATS_URL:-}" ]; then
  echo "up: using the NATS at NATS_URL (no nats-server started, no credentials written): every process gets this environment's NATS_* settings"
  rm -rf .run/nats
  next_seed() { wait_nats=true; }
  role() { echo "exec"; }
elif [ -n "$nodes" ]; then
  routes=()
  for i in $(seq "$nodes"); do routes+=("nats://127.0.0.1:$((route_port + i - 1))"); done
  node dist/nats-credentials.mjs .run/nats
  role() { echo "exec '$PWD/scripts/with-nats-role' $1"; }
  next_node=0
  next_seed() {
    local port=$((nats_port + next_node % nodes))
    next_node=$((next_node + 1))
    wait_nats="scripts/wait-for-port 127.0.0.1 $port"
    nats_env="NATS_URL=nats://127.0.0.1:$port"
  }
  for i in $(seq "$nodes"); do
    mkdir -p ".data/nats-cluster/n$i"
    names+=("nats-$i")
    colors+=(gray)
    commands+=("exec nats-server -c .run/nats/nats-server/auth.conf --jetstream --store_dir .data/nats-cluster/n$i --addr 127.0.0.1 --port $((nats_port + i - 1)) --server_name n$i --cluster_name switchyard --cluster nats://127.0.0.1:$((route_port + i - 1)) --routes $(IFS=,; echo "${routes[*]}")")
  done
else
  export NATS_URL=nats://127.0.0.1:$nats_port
  node dist/nats-credentials.mjs .run/nats
  next_seed() { wait_nats="scripts/wait-for-port 127.0.0.1 $nats_port"; }
  role() { echo "exec '$PWD/scripts/with-nats-role' $1"; }
  names+=(nats)
  colors+=(gray)
  commands+=("exec nats-server -c .run/nats/nats-server/auth.conf --jetstream --store_dir .data/nats --addr 127.0.0.1 --port $nats_port --server_name nats")
fi
next_seed; names+=(gateway); colors+=(cyan); commands+=("$wait_nats && $nats_env $(role gateway) node dist/gateway.mjs")
if [ -n "$nodes" ]; then
  next_seed; names+=(gateway-2); colors+=(cyan); commands+=("$wait_nats && $nats_env PORT=$((PORT + 1)) $(role gateway) node dist/gateway.mjs")
fi
for i in $(seq "$users_ts"); do
  next_seed; names+=("users-ts-$i"); colors+=(blue); commands+=("$wait_nats && $nats_env $(role users) node dist/users-ts.mjs")
done
for i in $(seq "$users_rb"); do
  next_seed; names+=("users-rb-$i"); colors+=(red); commands+=("$wait_nats && cd services/users-rb && $nats_env $(role users) bundle exec bin/users-rb")
done
next_seed; names+=(inventory-ts); colors+=(green); commands+=("$wait_nats && $nats_env $(role inventory) node dist/inventory-ts.mjs")

npx concurrently \
  --names "$(IFS=,; echo "${names[*]}")" \
  --prefix-colors "$(IFS=,; echo "${colors[*]}")" \
  --kill-others-on-fail \
  --kill-signal SIGTERM \
  "${commands[@]}"
