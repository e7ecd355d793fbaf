#!/usr/bin/env bash
# Installs what the stack and the tests need and is missing; quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nats-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing nats-server from apt"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  else
    echo "setup: nats-server is not on PATH. Install it (Debian/Ubuntu: sudo apt-get install nats-server;" >&2
    echo "       macOS: brew install nats-server; or a release binary) and run this again." >&2
    exit 1
  fi
fi

# The /docs test renders the page in Debian's headless Chromium.
if ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing chromium from apt (for the /docs test)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing: the /docs test needs it (sudo apt-get install chromium, or set CHROMIUM_PATH)" >&2
  fi
fi

# The /metrics test checks the exposition with Prometheus's own promtool.
if ! command -v promtool >/dev/null && [ -z "${PROMTOOL:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing prometheus from apt (promtool, for the /metrics test)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "setup: promtool is missing: the /metrics test needs it (sudo apt-get install prometheus, or set PROMTOOL)" >&2
  fi
fi

# The mutual-TLS tests make their CA and certificates with openssl.
if ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing openssl from apt (for the TLS tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  else
    echo "setup: openssl is missing: the TLS tests need it (sudo apt-get install openssl)" >&2
  fi
fi

# make check-deploy renders the Kubernetes manifests with kubectl's kustomize (the manifests keep to
# what Debian's kubernetes-client, kubectl 1.20, reads); no cluster is needed.
if ! command -v kubectl >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing kubernetes-client from apt (kubectl, for make check-deploy)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null
  else
    echo "setup: kubectl is missing: make check-deploy needs it (sudo apt-get install kubernetes-client)" >&2
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Each Ruby folder has its own bundle: the field rules (switchyard-protovalidate), the SDK (its
# tests, the grpc-tools protoc of scripts/ruby-protoc), users-rb.
for dir in packages/protovalidate-rb packages/service-rb services/users-rb; do
  if ! (cd "$dir" && bundle check >/dev/null 2>&1); then
    echo "setup: bundle install ($dir)"
    (cd "$dir" && bundle install --quiet)
  fi
done
