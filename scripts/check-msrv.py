#!/usr/bin/env python3
"""Check that each workspace crate's `rust-version` is no lower than what it compiles needs.

    python3 scripts/check-msrv.py

For every workspace member, take the crates that building it and its tests compiles (its
dependencies of every kind, then their normal and build dependencies, on every platform, as
resolved in Cargo.lock) and the highest `rust-version` they declare. A member that declares a
lower one claims a minimum Rust version it cannot build with: fail, naming the crate that
needs more. The member's own code is checked by clippy's `incompatible_msrv` lint (on in
`cargo clippy`), which reads the same `rust-version`. Crates that declare no `rust-version`
cannot be judged here.
"""

import json
import subprocess
import sys


def version_key(text):
    """`1.85` and `1.85.0` compare equal; no rust-version sorts lowest."""
    parts = [int(part) for part in text.split(".")] if text else []
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    metadata = json.loads(
        subprocess.check_output(["cargo", "metadata", "--format-version", "1"])
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}

    def compiled_for(member):
        """The member's dependencies of all kinds, then their normal and build ones."""
        seen, todo = set(), []
        for dep in nodes[member]["deps"]:
            todo.append(dep["pkg"])
        while todo:
            pkg = todo.pop()
            if pkg in seen:
                continue
            seen.add(pkg)
            for dep in nodes[pkg]["deps"]:
                if any(kind["kind"] != "dev" for kind in dep["dep_kinds"]):
                    todo.append(dep["pkg"])
        return seen

    failed = False
    for member in metadata["workspace_members"]:
        package = packages[member]
        claimed = package.get("rust_version") or ""
        needed_by = max(
            compiled_for(member),
            key=lambda pkg: version_key(packages[pkg].get("rust_version") or ""),
        )
        needed = packages[needed_by].get("rust_version") or ""
        verdict = "ok"
        if not claimed or version_key(needed) > version_key(claimed):
            verdict = "WRONG"
            failed = True
        print(
            f"{package['name']}: rust-version {claimed or '(none)'}; its dependencies need "
            f"{needed or '(none declared)'} ({packages[needed_by]['name']} "
            f"{packages[needed_by]['version']}): {verdict}"
        )
    if failed:
        print(
            "check-msrv: raise `rust-version` in the Cargo.toml of each crate marked WRONG "
            "(and the minimum Rust version in README.md), or pin the dependency lower",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
