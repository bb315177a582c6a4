#!/usr/bin/env bash
# Every check the project must pass; CI runs exactly this (.ci/run).
#
#   bash scripts/test.sh
#
# 1. scripts/setup.sh      .venv with the Temporal dev server and Python SDK, Rust target
# 2. cargo fmt --check     formatting
# 3. cargo clippy          lints, all targets, warnings are errors
# 4. no_std builds         core and proto for thumbv7em-none-eabihf (no std in its sysroot)
# 5. cargo test            the whole workspace, including the tests against a real dev server
#                          and Python worker (they start and stop these themselves)
# Stops at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*" >&2; }
run() { step "$*"; "$@"; }

run bash scripts/setup.sh
run cargo fmt --all -- --check
run cargo clippy --workspace --all-targets -- -D warnings
run cargo build -p temporal-lite-core --no-default-features --target thumbv7em-none-eabihf
run cargo build -p temporal-lite-proto --no-default-features --target thumbv7em-none-eabihf
run cargo test --workspace
step "scripts/test.sh: all checks passed"
