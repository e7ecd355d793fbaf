#!/usr/bin/env bash
# `make down`: stops a stack that `make up` started (in the background or another terminal).
set -euo pipefail
cd "$(dirname "$0")/.."
pid_file=.run/stack.pid
if [ ! -f "$pid_file" ]; then
  echo "down: no stack is running (no $pid_file)"
  exit 0
fi
pid=$(cat "$pid_file")
if ! kill -0 "$pid" 2>/dev/null; then
  echo "down: stack $pid is gone already"
  rm -f "$pid_file"
  exit 0
fi
# The whole process group: concurrently and every process it started drain on SIGTERM.
kill -TERM -- "-$(ps -o pgid= "$pid" | tr -d ' ')" 2>/dev/null || kill -TERM "$pid"
for _ in $(seq 150); do
  kill -0 "$pid" 2>/dev/null || { echo "down: stopped"; rm -f "$pid_file"; exit 0; }
  sleep 0.1
done
echo "down: stack $pid did not stop within 15 s" >&2
exit 1
