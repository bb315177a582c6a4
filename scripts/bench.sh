#!/usr/bin/env bash
# Benchmark temporal-lite against the official Rust client (temporalio-client 1.1.1) and
# print one table of figures with ratios ours/theirs and pass/fail against the targets.
#
#   scripts/bench.sh            full run: 3 repetitions, medians, clean release builds timed
#                               (about 20-30 min on 2 cores, most of it the official client's
#                               clean build)
#   scripts/bench.sh --quick    1 repetition, fewer calls, cached clean build times (< 2 min
#                               once built)
#   scripts/bench.sh --quick --no-official
#                               our side only (CI smoke test; never builds tonic)
#
# Other options are passed to scripts/bench.py (--reps N, --no-dev, --no-footprint,
# --no-clean-build, --max-streams N). Results: benches/results/<time>.{md,jsonl}.
#
# The programs: benches/mock-server (mock frontend, floor client, capture tool),
# benches/lite, benches/official, benches/minimal/{lite,official}. Each is its own Cargo
# project with its own target dir, so tonic never enters temporal-lite's dependency graph.
# Builds run under `nice -n 19`; measurements do not.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

official=1
for a in "$@"; do
    [ "$a" = "--no-official" ] && official=0
done

log() { printf 'bench: %s\n' "$*" >&2; }

build() {
    log "building $1 (release)"
    (cd "$ROOT/$1" && nice -n 19 cargo build --release -q)
}

build benches/mock-server
build benches/lite
build benches/minimal/lite
if [ "$official" = 1 ]; then
    build benches/official
    build benches/minimal/official
fi
if [ -d benches/thumb ] && ! rustup target list --installed 2>/dev/null | grep -qx thumbv7em-none-eabihf; then
    log "thumbv7em-none-eabihf target not installed (scripts/setup.sh installs it)"
fi

exec python3 "$ROOT/scripts/bench.py" "$@"
