#!/usr/bin/env bash
# The official Python client (temporalio) through the faults of temporal-lite's time-model
# tests, for the README's comparison table (not CI; about 6 minutes):
#
#   bash scripts/python_faults.sh [SCENARIO...]
#
# See scripts/python_faults.py for the scenarios. Prints one `PYTHON <scenario>:` line each.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh >&2
cargo build -q -p temporal-lite-tests --bin fault_proxy
exec .venv/bin/python scripts/python_faults.py "$@"
