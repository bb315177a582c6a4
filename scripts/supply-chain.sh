#!/usr/bin/env bash
# Supply-chain check of every crate the workspace builds (all features, dev-dependencies
# included), with cargo-deny and the policy in deny.toml:
#
#   bash scripts/supply-chain.sh
#
# - licenses: only the permissive licenses deny.toml lists;
# - bans:     no tonic or tower (tonic only inside the wire-compatibility test's upstream
#             types), no wildcard version requirements;
# - sources:  crates.io only, no git dependencies;
# - advisories: the RustSec database (known vulnerabilities, unmaintained and yanked
#             crates), with RUSTSEC-2025-0052 (async-std discontinued) acknowledged in
#             deny.toml.
#
# The first three need only Cargo.lock and run anywhere. The advisory database lives on
# GitHub (github.com/RustSec/advisory-db): where GitHub cannot be reached (these machines
# reach only the package registries) the advisory check is NOT done, and the script says so
# loudly; set SUPPLY_CHAIN_REQUIRE_ADVISORIES=1 to make that a failure (for a machine that
# should reach it). A copy of the database placed in ~/.cargo/advisory-dbs is used as is.
#
# Installs cargo-deny (pinned below) with `cargo install --locked` when it is missing:
# about 5 minutes of compiling on 2 cores, once per machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_DENY_VERSION=0.20.2

if ! cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
    echo "scripts/supply-chain.sh: installing cargo-deny $CARGO_DENY_VERSION (once per machine)" >&2
    cargo install --locked --quiet "cargo-deny@$CARGO_DENY_VERSION"
fi

deny() { cargo deny --color never --all-features "$@"; }

echo "==> cargo deny check licenses bans sources" >&2
deny check licenses bans sources

echo "==> cargo deny check advisories" >&2
if deny fetch db >/dev/null 2>&1 || ls "${CARGO_HOME:-$HOME/.cargo}"/advisory-dbs/*/crates >/dev/null 2>&1; then
    deny --offline check advisories
else
    cat >&2 <<'MSG'
############################################################################################
# advisories NOT CHECKED: the RustSec advisory database (github.com/RustSec/advisory-db)   #
# cannot be fetched from this machine. Licenses, bans and sources were checked. Run this   #
# script where GitHub is reachable to check for known vulnerabilities.                     #
############################################################################################
MSG
    if [ "${SUPPLY_CHAIN_REQUIRE_ADVISORIES:-0}" = 1 ]; then
        exit 1
    fi
fi
