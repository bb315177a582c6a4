#!/usr/bin/env bash
# Every check the project must pass; CI runs exactly this (.ci/run).
#
#   bash scripts/test.sh
#
# 1. scripts/setup.sh test installs and checks what the steps below need (fails naming the fix)
# 2. cargo fmt --check     formatting
# 3. cargo clippy          lints, all targets and features, warnings are errors; its
#                          incompatible_msrv lint holds our code to each crate's rust-version
# 4. check-msrv.py         no dependency needs a newer Rust than the crate's rust-version
#    check-house.py        no hand-written file over 600 lines, no import cycle between
#                          the files of a crate (what counts: the script's header)
# 5. no_std builds         core (also with testing, with tracing) and proto for
#                          thumbv7em-none-eabihf (no std in its sysroot)
# 6. no tonic/tower in the library crates' dependency graphs; cargo doc without warnings
# 7. supply chain          scripts/supply-chain.sh: cargo-deny licenses, bans, sources, and
#                          advisories where the RustSec database can be fetched (not here)
# 8. cargo test            the whole workspace (all features), including the tests against a
#                          real dev server and Python worker (they start and stop these
#                          themselves) and the README's code blocks (doctests)
# Stops at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }
run() { step "$*"; "$@"; }

run bash scripts/setup.sh test
run cargo fmt --all -- --check
# --all-features: core's `engine` and `testing` code (and the tests that need them) too.
run cargo clippy --workspace --all-targets --all-features -- -D warnings
run python3 scripts/check-msrv.py
run python3 scripts/check-house.py
run cargo build -p temporal-lite-core --no-default-features --target thumbv7em-none-eabihf
run cargo build -p temporal-lite-core --no-default-features --features testing \
    --target thumbv7em-none-eabihf
run cargo build -p temporal-lite-core --no-default-features --features tracing \
    --target thumbv7em-none-eabihf
run cargo build -p temporal-lite-proto --no-default-features --target thumbv7em-none-eabihf

# No tonic or tower in anything a user links.
step "dependency graphs of the library crates hold no tonic or tower"
for package in temporal-lite-core temporal-lite-proto temporal-lite-tokio temporal-lite-async-std; do
    if cargo tree -q -p "$package" --all-features -e normal,build --prefix none |
        grep -E '^(tonic|tower)[- ]'; then
        echo "scripts/test.sh: $package depends on tonic or tower" >&2
        exit 1
    fi
done

RUSTDOCFLAGS="-D warnings" run cargo doc --workspace --all-features --no-deps -q
# Installs cargo-deny on a machine that lacks it (a few minutes, once).
run bash scripts/supply-chain.sh
# The whole workspace; the log is kept to print one total at the end.
mkdir -p .tmp
test_log=.tmp/cargo-test.log
step "cargo test --workspace --all-features"
set +e
cargo test --workspace --all-features 2>&1 | tee "$test_log"
test_status=${PIPESTATUS[0]}
set -e
# Sum libtest's "test result: ok. N passed; M failed" lines and the conformance runner's
# "N passed, M failed" line into one closing line.
totals=$(awk '
    /^test result: / { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
    /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
    END { printf "tests: %d passed, %d failed\n", p, f }
' "$test_log")
if [ "$test_status" -ne 0 ]; then
    echo "$totals"
    exit "$test_status"
fi
step "scripts/test.sh: all checks passed"
echo "$totals"
