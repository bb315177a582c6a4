#!/usr/bin/env bash
# The demo: move money between two accounts with temporal-lite, against real components.
#
#   bash scripts/demo.sh
#
# 1. runs `scripts/setup.sh demo`: checks Rust and a C compiler, and makes the project-local
#    .venv with the Temporal CLI and the Python SDK (nothing the tests alone need);
# 2. builds the example `money_transfer` of temporal-lite-tokio, showing cargo's progress (a
#    first build takes a few minutes);
# 3. starts a Temporal dev server on 127.0.0.1:7233 (another free port if 7233 is taken, or
#    DEMO_PORT if set), in memory;
# 4. starts the Python worker (tests/python/worker.py) on task queue "money-transfer", which
#    runs the MoneyTransfer workflow and its withdraw / deposit activities;
# 5. runs the example with TEMPORAL_ADDRESS set to that server: it connects from the default
#    configuration profile plus the environment, starts MoneyTransfer and prints its result;
# 6. stops the worker and the server, whatever happened.
#
# Logs: .tmp/demo/server.log and .tmp/demo/worker.log.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'demo: %s\n' "$*" >&2; }

bash scripts/setup.sh demo

say "building the example: cargo build -p temporal-lite-tokio --example money_transfer"
cargo build -p temporal-lite-tokio --example money_transfer

TEMPORAL=.venv/bin/temporal
PYTHON=.venv/bin/python
LOGS=.tmp/demo
mkdir -p "$LOGS"

# Only this script's settings reach the server, the worker and the example.
while IFS='=' read -r name _; do
    case "$name" in TEMPORAL_*) unset "$name" ;; esac
done < <(env)

# Print 7233 if it is free on 127.0.0.1, else some other free port.
pick_port() {
    "$PYTHON" -c '
import socket
def bind(port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
try:
    print(bind(7233))
except OSError:
    print(bind(0))
'
}
PORT="${DEMO_PORT:-$(pick_port)}"
ADDRESS="127.0.0.1:$PORT"

SERVER_PID=""
WORKER_PID=""
stop_pid() { # stop_pid PID: SIGTERM, then SIGKILL after 10 s
    local pid=$1 i=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    trap - EXIT
    [ -n "$WORKER_PID" ] && stop_pid "$WORKER_PID"
    [ -n "$SERVER_PID" ] && stop_pid "$SERVER_PID"
    [ -n "$SERVER_PID$WORKER_PID" ] && say "stopped the worker and the dev server"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting a Temporal dev server on $ADDRESS (log: $LOGS/server.log)"
"$TEMPORAL" server start-dev --headless --ip 127.0.0.1 --port "$PORT" --log-level warn \
    --disable-config-file --disable-config-env \
    --dynamic-config-value 'history.timerProcessorMaxTimeShift="10ms"' \
    >"$LOGS/server.log" 2>&1 </dev/null &
SERVER_PID=$!
for _ in $(seq 200); do
    if "$TEMPORAL" operator namespace describe --namespace default --address "$ADDRESS" \
        --disable-config-file --disable-config-env --command-timeout 2s >/dev/null 2>&1; then
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$LOGS/server.log" >&2; say "the dev server exited"; exit 1; }
    sleep 0.1
done
"$TEMPORAL" operator namespace describe --namespace default --address "$ADDRESS" \
    --disable-config-file --disable-config-env --command-timeout 2s >/dev/null ||
    { tail -n 50 "$LOGS/server.log" >&2; say "the dev server did not answer within 20 s"; exit 1; }

say "starting the Python worker on task queue money-transfer (log: $LOGS/worker.log)"
"$PYTHON" tests/python/worker.py --address "$ADDRESS" --namespace default \
    --task-queue money-transfer >"$LOGS/worker.log" 2>&1 </dev/null &
WORKER_PID=$!
for _ in $(seq 300); do
    grep -qx 'WORKER READY' "$LOGS/worker.log" && break
    kill -0 "$WORKER_PID" 2>/dev/null || { cat "$LOGS/worker.log" >&2; say "the worker exited"; exit 1; }
    sleep 0.1
done
grep -qx 'WORKER READY' "$LOGS/worker.log" ||
    { tail -n 50 "$LOGS/worker.log" >&2; say "the worker was not ready within 30 s"; exit 1; }

say "running: TEMPORAL_ADDRESS=$ADDRESS cargo run -p temporal-lite-tokio --example money_transfer"
TEMPORAL_ADDRESS="$ADDRESS" cargo run -q -p temporal-lite-tokio --example money_transfer
say "done"
