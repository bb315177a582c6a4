#!/usr/bin/env python3
"""Check the layout rules of the house: no long hand-written file, no import cycle between files.

    python3 scripts/check-house.py

Fails (exit 1) naming each file that breaks a rule; prints nothing else when all is well.

1. Length. A hand-written source file (`*.rs`, `*.py`, `*.sh` that git tracks) may have at
   most 600 lines. Not counted: test code (the `tests/` crate, any `tests/` folder, any
   `tests.rs`) and generated code (`proto/src/generated/`, files named `generated.rs`).

2. Import cycles. For each library crate (core, proto, runtime-tokio, runtime-async-std and
   the tests crate's harness library) the script builds a graph whose nodes are the crate's
   source files and fails on every strongly connected set of two or more files. What counts:
   - The module tree comes from `mod name;` declarations (a file `name.rs` or `name/mod.rs`
     beside the declaring module); `mod name { .. }` blocks are modules inside their file.
     Declaring a module is containment, not an edge.
   - An edge A -> B is a path in A's code that names an item defined in B: `use` trees
     starting with `crate::`, `super::`, `self::` or a child module's name, and paths with
     those starts written inline in code (`crate::grpc::Status::new(..)`). A path that ends
     at a module (`use crate::engine::doctor;`) is an edge to that module's file.
   - Names are followed through `use` re-exports to the file that defines them, so
     `use super::Runtime` in `engine/transport.rs` is an edge to `engine/runtime.rs` when
     `engine/mod.rs` says `pub use runtime::Runtime`. A `pub use` of a file's own descendants
     is a re-export, not an edge: a `mod.rs` re-exporting its children is not a cycle with
     them. A `mod.rs` that *uses* a child's item in its own code does depend on it.
   - Not counted: test code (files named `tests.rs`, files below a `tests/` folder and
     `#[cfg(test)] mod .. { .. }` blocks: tests may reach anywhere), comments, strings,
     other crates' paths, and `use super::*` globs (they say nothing about what is used).
"""

import os
import re
import subprocess
import sys

MAX_LINES = 600
CRATES = ["core", "proto", "runtime-tokio", "runtime-async-std", "tests"]
SOURCE_SUFFIXES = (".rs", ".py", ".sh")


def is_test_path(path):
    parts = path.split("/")
    return parts[0] == "tests" or "tests" in parts[:-1] or parts[-1] == "tests.rs"


def is_test_source(path):
    """Test code inside a crate's `src/`: `tests.rs` and anything below a `tests/` folder."""
    inside = path.split("/src/", 1)[-1].split("/")
    return "tests" in inside[:-1] or inside[-1] == "tests.rs"


def is_generated(path):
    return path.startswith("proto/src/generated/") or path.endswith("/generated.rs")


def tracked_files():
    return subprocess.check_output(["git", "ls-files"], text=True).split()


def check_lengths(files):
    problems = []
    for path in files:
        if not path.endswith(SOURCE_SUFFIXES) or is_test_path(path) or is_generated(path):
            continue
        with open(path, encoding="utf-8") as source:
            lines = sum(1 for _ in source)
        if lines > MAX_LINES:
            problems.append(f"{path}: {lines} lines, over {MAX_LINES}: split it along its concerns")
    return problems


def strip_comments_and_strings(text):
    """Blank out comments, string and char literals; keep newlines and everything else."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif re.match(r'b?r(#*)"', text[i:i + 40]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            raw = re.match(r'b?r(#*)"', text[i:])
            close = '"' + raw.group(1)
            end = text.find(close, i + raw.end())
            i = n if end < 0 else end + len(close)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'":
            char = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'])'", text[i:])
            if char:
                i += char.end()
                out.append("' '")
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text, open_at):
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


INLINE_MOD = re.compile(r"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*\{")
MOD_DECL = re.compile(r"(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;")
USE_ITEM = re.compile(r"\b(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);")
INLINE_PATH = re.compile(r"(?<![\w:])((?:crate|super|self)(?:::\w+)+)")


class Module:
    def __init__(self, file, path, code):
        self.file, self.path, self.code = file, path, code
        self.children = {}
        self.imports = {}  # name -> (absolute path segments, is_pub)
        self.globs = []  # absolute module paths glob-imported


def expand_use_tree(tree):
    """`a::{b, c::{d as e}}` -> [(['a', 'b'], 'b'), (['a', 'c', 'd'], 'e')]."""
    tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "@", tree))
    results = []

    def walk(prefix, text):
        if "{" not in text:
            text, _, alias = text.partition("@")
            parts = prefix + [p for p in text.split("::") if p]
            results.append((parts, alias or (parts[-1] if parts else None)))
            return
        head, _, rest = text.partition("{")
        head_parts = [p for p in head.split("::") if p]
        body = rest[: rest.rfind("}")]
        depth, start = 0, 0
        for k, ch in enumerate(body + ","):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                if body[start:k]:
                    walk(prefix + head_parts, body[start:k])
                start = k + 1

    walk([], tree)
    return results


class Crate:
    def __init__(self, lib_file):
        self.modules = {}  # tuple path -> Module
        self.edges = {}  # file -> set(file)
        self.load(lib_file)

    def load(self, file):
        with open(file, encoding="utf-8") as source:
            code = strip_comments_and_strings(source.read())
        self.add_module(file, (), code)

    def add_module(self, file, path, code):
        # Cut out inline modules: test ones are dropped, the others become modules of this file.
        kept, pos, inline = [], 0, []
        for match in INLINE_MOD.finditer(code):
            if match.start() < pos:
                continue
            open_at = match.end() - 1
            close_at = matching_brace(code, open_at)
            kept.append(code[pos:match.start()])
            if "cfg(test)" not in re.sub(r"\s", "", match.group(1)):
                inline.append((match.group(2), code[open_at + 1:close_at]))
            kept.append("\n" * code.count("\n", match.start(), close_at + 1))
            pos = close_at + 1
        kept.append(code[pos:])
        own = "".join(kept)
        module = Module(file, path, own)
        self.modules[path] = module
        for name, body in inline:
            module.children[name] = self.add_module(file, path + (name,), body)
        for match in MOD_DECL.finditer(own):
            name = match.group(1)
            before = own[max(0, match.start() - 200):match.start()]
            if re.search(r"#\[cfg\(test\)\]\s*$", before):
                continue
            base = os.path.dirname(file)
            if not (file.endswith("/mod.rs") or file.endswith("/lib.rs") or file.endswith("/main.rs")):
                base = file[:-3]
            for candidate in (f"{base}/{name}.rs", f"{base}/{name}/mod.rs"):
                if os.path.exists(candidate):
                    with open(candidate, encoding="utf-8") as source:
                        child_code = strip_comments_and_strings(source.read())
                    module.children[name] = self.add_module(candidate, path + (name,), child_code)
                    break
        return module

    def absolute(self, module, parts):
        """Module-relative path segments -> crate-absolute ones, or None for other crates."""
        if not parts:
            return None
        if parts[0] == "crate":
            return list(parts[1:])
        base = list(module.path)
        rest = list(parts)
        if rest[0] == "self":
            rest = rest[1:]
        elif rest[0] == "super":
            while rest and rest[0] == "super":
                base, rest = base[:-1], rest[1:]
        elif rest[0] not in module.children:
            return None
        return base + rest

    def collect_imports(self):
        for module in self.modules.values():
            for match in USE_ITEM.finditer(module.code):
                is_pub = bool(match.group(1))
                for parts, alias in expand_use_tree(match.group(2)):
                    if parts and parts[-1] == "*":
                        target = self.absolute(module, parts[:-1])
                        if target is not None:
                            module.globs.append((tuple(target), is_pub))
                        continue
                    if parts and parts[-1] == "self":
                        parts = parts[:-1]
                        alias = parts[-1] if parts and alias == "self" else alias
                    target = self.absolute(module, parts)
                    if target is None or not parts:
                        continue
                    module.imports[alias] = (target, is_pub)

    def resolve(self, segments, seen=None):
        """Crate-absolute path -> the file that defines what it names."""
        seen = seen or set()
        key = tuple(segments)
        if key in seen:
            return None
        seen.add(key)
        module = self.modules.get(())
        for k, name in enumerate(segments):
            if name in module.children:
                module = module.children[name]
                continue
            if name in module.imports:
                target, _ = module.imports[name]
                return self.resolve(list(target) + list(segments[k + 1:]), seen)
            for glob, _ in module.globs:
                candidate = self.resolve(list(glob) + list(segments[k:]), seen)
                if candidate and candidate != self.modules.get(glob, module).file:
                    return candidate
            return module.file
        return module.file

    def build_edges(self):
        for module in self.modules.values():
            if is_test_source(module.file):
                continue
            targets = set()
            for name, (target, is_pub) in module.imports.items():
                is_descendant = tuple(target[:len(module.path)]) == module.path and len(target) > len(module.path)
                if is_pub and is_descendant:
                    continue
                targets.add(self.resolve(target))
            # Paths written in code; `use` items were taken above.
            code = USE_ITEM.sub(lambda m: "\n" * m.group(0).count("\n"), module.code)
            for match in INLINE_PATH.finditer(code):
                target = self.absolute(module, match.group(1).split("::"))
                if target is not None:
                    targets.add(self.resolve(target))
            for name in module.children:
                for match in re.finditer(rf"(?<![\w:]){name}::(\w+)", code):
                    targets.add(self.resolve(list(module.path) + [name, match.group(1)]))
            targets.discard(None)
            targets.discard(module.file)
            self.edges.setdefault(module.file, set()).update(
                t for t in targets if not is_test_source(t)
            )


def cycles(edges):
    """Strongly connected sets of two or more files (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def check_cycles():
    problems = []
    for crate in CRATES:
        crate_obj = Crate(f"{crate}/src/lib.rs")
        crate_obj.collect_imports()
        crate_obj.build_edges()
        for group in cycles(crate_obj.edges):
            members = set(group)
            links = [
                f"{a} -> {b}"
                for a in group
                for b in sorted(crate_obj.edges.get(a, ()))
                if b in members
            ]
            problems.append("import cycle between " + ", ".join(group) + " (" + "; ".join(links) + ")")
    return problems


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    os.chdir(root)
    problems = check_lengths(tracked_files()) + check_cycles()
    for problem in problems:
        print(f"scripts/check-house.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
