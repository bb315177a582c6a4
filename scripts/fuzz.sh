#!/usr/bin/env bash
# Run every cargo-fuzz target in fuzz/ one after another, keeping the corpus.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]
#
# seconds-per-target  how long each target runs (default 60). FUZZ_MAX_RUNS=N also stops a
#                     target after N executions, whichever comes first (e.g. 10000000).
# target ...          only these targets (default: all, as `cargo fuzz list` prints them).
#
# The corpus of each target grows in fuzz/corpus/<target> (kept between runs, not in git);
# fuzz/seeds/<target> (in git) is read as extra input. A crash is written to
# fuzz/artifacts/<target>/ and the script goes on with the next target. At the end it prints
# one line per target (executions, seconds, corpus size, crashes), also kept in
# fuzz/logs/results.txt (with each target's libFuzzer log beside it), and exits non-zero if
# any target crashed.
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Runs at the
# lowest CPU priority (`nice -n 19`), one target at a time, so a shared machine stays usable.
# No sanitizer (the crates are `forbid(unsafe_code)`; ASan halves the speed); debug
# assertions and overflow checks are on, so an arithmetic overflow is a crash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"

seconds="${1:-60}"
shift || true
if ! cargo +nightly fuzz --help >/dev/null 2>&1; then
    echo "scripts/fuzz.sh: needs cargo-fuzz on the nightly toolchain:" >&2
    echo "  rustup toolchain install nightly && cargo install cargo-fuzz" >&2
    exit 2
fi
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
max_runs=()
if [ -n "${FUZZ_MAX_RUNS:-}" ]; then
    max_runs=("-runs=$FUZZ_MAX_RUNS")
fi

nice -n 19 cargo +nightly fuzz build --sanitizer none

mkdir -p logs
summary=()
crashed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    crashes_before=$(find "artifacts/$target" -type f | wc -l)
    log="logs/$target.log"
    echo "==> $target: up to ${seconds}s${FUZZ_MAX_RUNS:+ or $FUZZ_MAX_RUNS runs}" >&2
    set +e
    nice -n 19 cargo +nightly fuzz run --sanitizer none "$target" "corpus/$target" "${seeds[@]}" \
        -- -max_total_time="$seconds" "${max_runs[@]}" -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
    took=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' | tail -1 || true)
    crashes=$(( $(find "artifacts/$target" -type f | wc -l) - crashes_before ))
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        crashes="failed (exit $status, see fuzz/$log)"
    fi
    [ "$status" -ne 0 ] && crashed=1
    line="$target: ${runs:-?} executions in ${took:-?} s, corpus $(find "corpus/$target" -type f | wc -l) files, crashes: $crashes"
    echo "$line" >&2
    summary+=("$line")
done

{
    echo "# scripts/fuzz.sh $seconds ${FUZZ_MAX_RUNS:+(FUZZ_MAX_RUNS=$FUZZ_MAX_RUNS)} on $(date -u +%Y-%m-%dT%H:%MZ)"
    printf '%s\n' "${summary[@]}"
} | tee logs/results.txt
exit "$crashed"
