#!/usr/bin/env bash
# The long outage checks of the time model (not in CI: about 5 minutes), on both runtimes,
# against a real dev server and Python worker:
#
#   bash scripts/faults.sh
#
# - result() across a 60 s outage (the fault proxy refuses and resets connections);
# - result() across 60 s of silence (the fault proxy blackholes every connection);
# - 200 result() waiters across a server SIGKILL + restart (database file kept).
#
# Prints one FIGURES line per check and runtime; fails if any check fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh >&2
mkdir -p .tmp
log=.tmp/faults.log
# One at a time: the timings are the point, and the machine has two cores. The persistent
# server's database goes to tmpfs when there is one: it survives the server's SIGKILL all
# the same, and on a virtual disk each start would otherwise wait ~50 ms for fsync.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
set +e
cargo test -p temporal-lite-tests --test suite -- --ignored --test-threads 1 --nocapture \
    tokio_faults:: async_std_faults:: 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo
grep -o 'FIGURES.*' "$log" || true
exit "$status"
