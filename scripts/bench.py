#!/usr/bin/env python3
"""Run the temporal-lite vs official-client benchmark and print one comparison table.

Called by scripts/bench.sh after it has built the programs (see that script for the options).
Standard library only.

What runs, per repetition (3, or 1 with --quick), each in its own process, clients pinned to
one CPU and the servers to another when the machine has two or more:
  - against the mock server (benches/mock-server, answers at once with captured responses):
    floor (bare h2), lite, official with gzip off (its fastest setting) and official with its
    default (gzip on); concurrency 1 and 64 over one client, plus 1024 in flight (the mock
    allows 100 concurrent streams, so 924 calls must wait for a stream);
  - against a real dev server (`temporal server start-dev`): lite and both official settings,
    concurrency 1 and 64.
Then the footprint of benches/minimal/{lite,official} (crates, clean release build time,
stripped size, max RSS of one run) and the size of the no_std core for thumbv7em.

Figures are medians over the repetitions. Ratios are ours / theirs.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCHES = os.path.join(ROOT, "benches")
RESULTS = os.path.join(BENCHES, "results")
CACHE = os.path.join(BENCHES, "footprint-cache.json")
BIN = {
    "mock": os.path.join(BENCHES, "mock-server/target/release/mock-server"),
    "floor": os.path.join(BENCHES, "mock-server/target/release/floor"),
    "lite": os.path.join(BENCHES, "lite/target/release/bench-lite"),
    "official": os.path.join(BENCHES, "official/target/release/bench-official"),
}
MINIMAL = {
    "lite": (os.path.join(BENCHES, "minimal/lite"), "minimal-lite"),
    "official": (os.path.join(BENCHES, "minimal/official"), "minimal-official"),
}
TEMPORAL = os.path.join(ROOT, ".venv/bin/temporal")
THUMB = "thumbv7em-none-eabihf"

# (calls, warmup) per target and concurrency.
PLAN_FULL = {
    ("mock", 1): (5000, 200),
    ("mock", 64): (20000, 1000),
    ("mock", 1024): (20000, 2048),
    ("dev", 1): (300, 20),
    ("dev", 64): (3000, 128),
}
PLAN_QUICK = {
    ("mock", 1): (1000, 100),
    ("mock", 64): (4000, 256),
    ("mock", 1024): (4000, 1024),
    ("dev", 1): (100, 10),
    ("dev", 64): (500, 64),
}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def pin(cpu):
    """A preexec_fn that pins the child to `cpu` (None: no pinning)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Servers:
    """The mock server and the dev server, stopped on exit."""

    def __init__(self, server_cpu):
        self.cpu = server_cpu
        self.procs = []

    def start_mock(self, max_streams=100):
        p = subprocess.Popen(
            [BIN["mock"], "--port", "0", "--max-streams", str(max_streams)],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=pin(self.cpu),
        )
        self.procs.append(p)
        line = p.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise SystemExit(f"bench: mock server did not start: {line!r}")
        return line.split()[-1]

    def start_dev(self):
        if not os.access(TEMPORAL, os.X_OK):
            log(f"{TEMPORAL} not found (run scripts/setup.sh): skipping the dev server runs")
            return None
        port = free_port()
        logf = open(os.path.join(RESULTS, "dev-server.log"), "w")
        p = subprocess.Popen(
            [TEMPORAL, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
             "--port", str(port), "--log-level", "warn"],
            stdout=logf, stderr=subprocess.STDOUT, preexec_fn=pin(self.cpu),
        )
        self.procs.append(p)
        addr = f"127.0.0.1:{port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            r = subprocess.run(
                [TEMPORAL, "operator", "namespace", "describe", "-n", "default",
                 "--address", addr],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            if r.returncode == 0:
                return addr
            if p.poll() is not None:
                break
            time.sleep(0.2)
        log("dev server did not become ready: skipping the dev server runs")
        return None

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []


def run_client(kind, gzip, target_addr, label, conc, calls, warmup, ops, cpu, timeout=600):
    """Run one benchmark program; returns its JSON records."""
    argv = [BIN[kind], "--target", target_addr, "--label", label, "--op", ops,
            "--calls", str(calls), "--concurrency", str(conc), "--warmup", str(warmup),
            "--gzip", gzip, "--json"]
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=pin(cpu), timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"{kind} gzip={gzip} {label} c={conc}: timed out")
        return []
    if r.stderr.strip():
        log(f"{kind} gzip={gzip} {label} c={conc}: {r.stderr.strip()}")
    out = []
    for line in r.stdout.splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    if r.returncode != 0:
        log(f"{kind} gzip={gzip} {label} c={conc}: exit {r.returncode}")
    return out


def variants(target):
    """(program, gzip, column name) run against `target`."""
    v = [("lite", "off", "lite"), ("official", "off", "off"), ("official", "on", "on")]
    if target == "mock":
        v.insert(0, ("floor", "off", "floor"))
    return v


def measure_all(args, servers, client_cpu):
    plan = PLAN_QUICK if args.quick else PLAN_FULL
    reps = args.reps or (1 if args.quick else 3)
    available = {"lite", "floor"} | ({"official"} if not args.no_official else set())
    available = {k for k in available if os.access(BIN[k], os.X_OK)}
    targets = {"mock": servers.start_mock(args.max_streams)}
    if not args.no_dev:
        dev = servers.start_dev()
        if dev:
            targets["dev"] = dev
    records = []
    for rep in range(reps):
        for (target, conc), (calls, warmup) in plan.items():
            if target not in targets:
                continue
            ops = "start" if (args.quick and conc == 1024) else "all"
            v = variants(target)
            k = rep % len(v)  # rotate the order so no client always runs first
            for prog, gzip, col in v[k:] + v[:k]:
                if prog not in available:
                    continue
                t0 = time.time()
                recs = run_client(prog, gzip, targets[target], target, conc, calls, warmup,
                                  ops, client_cpu)
                for r in recs:
                    r["column"] = col
                    r["rep"] = rep
                records.extend(recs)
                log(f"rep {rep + 1}/{reps} {target} c={conc} {col}: {len(recs)} ops, "
                    f"{time.time() - t0:.1f}s")
    return records


def medians(records):
    """{(column, target, op, conc): {figure: median}}."""
    groups = {}
    for r in records:
        groups.setdefault((r["column"], r["target"], r["op"], r["concurrency"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        m = {}
        for f in ("calls", "errors", "wall_s", "calls_per_s", "p50_us", "p90_us", "p99_us",
                  "cpu_us_per_call", "max_rss_kb"):
            m[f] = statistics.median(r[f] for r in rs)
        m["errors_max"] = max(r["errors"] for r in rs)
        m["runs"] = len(rs)
        out[key] = m
    return out


# ---------------------------------------------------------------- footprint

def crate_count(project):
    """Distinct packages compiled for the project (normal + build dependencies), less itself."""
    out = {}
    for edges in ("normal", "normal,build"):
        r = subprocess.run(["cargo", "tree", "--offline", "-e", edges, "--prefix", "none"],
                           cwd=project, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        pkgs = set()
        for line in r.stdout.splitlines():
            line = line.replace(" (*)", "").replace(" (proc-macro)", "").strip()
            if line:
                pkgs.add(" ".join(line.split()[:2]))
        out[edges] = max(len(pkgs) - 1, 0)
    return out


def stripped_size(binary):
    if not os.path.exists(binary):
        return None
    with tempfile.TemporaryDirectory() as d:
        dst = os.path.join(d, "stripped")
        r = subprocess.run(["strip", "-o", dst, binary], stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            return None
        return os.path.getsize(dst)


def run_rss(binary, addr, cpu):
    """Peak RSS (KiB) of one run of a minimal program, and whether it succeeded.

    Read from the child's `/proc/PID/status` (`VmHWM`) at its exit, stopped there with
    ptrace (PTRACE_O_TRACEEXIT): `ru_maxrss` from wait4 would include this Python process's
    RSS, which Linux carries over fork + execve.
    """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    traceme, cont, setoptions, o_traceexit, event_exit = 0, 7, 0x4200, 0x40, 6
    pid = os.fork()
    if pid == 0:
        try:
            if cpu is not None:
                os.sched_setaffinity(0, {cpu})
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            libc.ptrace(traceme, 0, None, None)
            os.execv(binary, [binary, addr])
        finally:
            os._exit(127)
    os.waitpid(pid, 0)  # stopped at exec
    libc.ptrace(setoptions, pid, None, ctypes.c_void_p(o_traceexit))
    libc.ptrace(cont, pid, None, None)
    kb = None
    while True:
        _, st = os.waitpid(pid, 0)
        if os.WIFEXITED(st) or os.WIFSIGNALED(st):
            ok = os.waitstatus_to_exitcode(st) == 0
            if not ok:
                log(f"{os.path.basename(binary)} {addr}: exit {os.waitstatus_to_exitcode(st)}")
            return kb, ok
        sig = os.WSTOPSIG(st)
        if (st >> 16) == event_exit:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
            sig = 0
        elif sig == signal.SIGTRAP:
            sig = 0
        libc.ptrace(cont, pid, None, ctypes.c_void_p(sig))


def clean_build_time(project):
    """Seconds for `cargo build --release` in a fresh target dir (dependencies downloaded)."""
    subprocess.run(["cargo", "fetch", "-q"], cwd=project, check=False)
    with tempfile.TemporaryDirectory(prefix="bench-clean-") as t:
        env = dict(os.environ, CARGO_TARGET_DIR=t)
        t0 = time.time()
        r = subprocess.run(["cargo", "build", "--release", "--offline", "-q"], cwd=project,
                           env=env, stderr=subprocess.PIPE, text=True)
        secs = time.time() - t0
        if r.returncode != 0:
            log(f"clean build of {project} failed: {r.stderr.strip()[-500:]}")
            return None
        return secs


def thumb_sizes():
    """Size of the no_std core for thumbv7em: rlib, and .text of a tiny firmware using it."""
    out = {}
    r = subprocess.run(["nice", "-n", "19", "cargo", "build", "-q", "-p", "temporal-lite-core",
                        "--no-default-features", "--target", THUMB, "--release"],
                       cwd=ROOT, stderr=subprocess.PIPE, text=True)
    rlib = os.path.join(ROOT, "target", THUMB, "release", "libtemporal_lite_core.rlib")
    if r.returncode == 0 and os.path.exists(rlib):
        out["core_rlib_bytes"] = os.path.getsize(rlib)
    else:
        log(f"thumbv7em build of the core failed: {r.stderr.strip()[-500:]}")
    probe = os.path.join(BENCHES, "thumb")
    if os.path.isdir(probe):
        r = subprocess.run(["nice", "-n", "19", "cargo", "build", "-q", "--release"],
                           cwd=probe, stderr=subprocess.PIPE, text=True)
        elf = os.path.join(probe, "target", THUMB, "release", "thumb-probe")
        size_tool = shutil.which("llvm-size") or shutil.which("size")
        if r.returncode == 0 and os.path.exists(elf) and size_tool:
            s = subprocess.run([size_tool, "-A", elf], stdout=subprocess.PIPE, text=True).stdout
            for line in s.splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0] in (".text", ".rodata", ".data", ".bss"):
                    out[f"probe{parts[0].replace('.', '_')}"] = int(parts[1])
        elif r.returncode != 0:
            log(f"thumbv7em probe build failed: {r.stderr.strip()[-800:]}")
    return out


def footprint(args, servers_addr, client_cpu):
    cache = {}
    if os.path.exists(CACHE):
        with open(CACHE) as f:
            cache = json.load(f)
    fp = {}
    for name, (project, binname) in MINIMAL.items():
        if name == "official" and args.no_official:
            continue
        d = {}
        d["crates"] = crate_count(project)
        binary = os.path.join(project, "target", "release", binname)
        d["stripped_bytes"] = stripped_size(binary)
        if os.path.exists(binary) and servers_addr:
            rss = [run_rss(binary, servers_addr, client_cpu) for _ in range(3)]
            got = [r for r, _ in rss if r is not None]
            d["max_rss_kb"] = statistics.median(got) if got else None
            d["rss_ok"] = all(ok for _, ok in rss)
        skip = args.quick or args.no_clean_build
        if not skip:
            log(f"clean release build of benches/minimal/{name} (timed)...")
            secs = clean_build_time(project)
            if secs is not None:
                d["clean_build_s"] = secs
                d["clean_build_note"] = f"measured {datetime.date.today()}"
                cache[name] = {"clean_build_s": secs, "date": str(datetime.date.today()),
                               "nproc": os.cpu_count(),
                               "load": open("/proc/loadavg").read().split()[0]}
        if "clean_build_s" not in d and name in cache:
            d["clean_build_s"] = cache[name]["clean_build_s"]
            d["clean_build_note"] = (f"CACHED from {cache[name]['date']} "
                                     f"(benches/footprint-cache.json)")
        fp[name] = d
    if not (args.quick or args.no_clean_build):
        with open(CACHE, "w") as f:
            json.dump(cache, f, indent=2, sort_keys=True)
            f.write("\n")
    fp["thumb"] = thumb_sizes()
    return fp


# ---------------------------------------------------------------- report

def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, float):
        if v >= 1000:
            return f"{v:,.0f}{unit}"
        if v >= 100:
            return f"{v:.0f}{unit}"
        return f"{v:.1f}{unit}" if v >= 10 else f"{v:.2f}{unit}"
    if isinstance(v, int) and v >= 10000:
        return f"{v:,}{unit}"
    return f"{v}{unit}"


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b


def rfmt(r):
    return "-" if r is None else f"{r:.2f}x"


def check(r, op, limit):
    if r is None:
        return None
    return r <= limit if op == "<=" else r >= limit


def build_rows(med, fp):
    rows = []  # (section, figure, lite, off, on, floor, target_text, checks[list of bool|None])

    def get(col, target, op, conc, f):
        m = med.get((col, target, op, conc))
        return None if m is None else m[f]

    for conc in (1, 64):
        for op in ("start", "describe", "history"):
            g = lambda col, f: get(col, "mock", op, conc, f)  # noqa: E731
            lite, off, on, fl = (g(c, "cpu_us_per_call") for c in ("lite", "off", "on", "floor"))
            rows.append(("mock", f"{op} c={conc} CPU µs/call", lite, off, on, fl,
                         "≤0.5x off, ≤1.5x floor",
                         [check(ratio(lite, off), "<=", 0.5),
                          check(ratio(lite, fl), "<=", 1.5)]))
            lite, off, on, fl = (g(c, "calls_per_s") for c in ("lite", "off", "on", "floor"))
            tgt, chk = ("≥1.5x off", [check(ratio(lite, off), ">=", 1.5)]) if conc == 64 \
                else ("", [])
            rows.append(("mock", f"{op} c={conc} calls/s", lite, off, on, fl, tgt, chk))
            for f, name in (("p50_us", "p50 µs"), ("p99_us", "p99 µs")):
                vals = [g(c, f) for c in ("lite", "off", "on", "floor")]
                rows.append(("mock", f"{op} c={conc} {name}", *vals, "", []))
    for op in ("start", "describe", "history"):
        g = lambda col, f: get(col, "mock", op, 1024, f)  # noqa: E731
        if g("lite", "calls") is None:
            continue
        errs = [g(c, "errors_max") for c in ("lite", "off", "on", "floor")]
        rows.append(("mock", f"{op} 1024 in flight: errors", *errs, "0 errors",
                     [None if errs[0] is None else errs[0] == 0]))
        for f, name in (("calls_per_s", "calls/s"), ("cpu_us_per_call", "CPU µs/call"),
                        ("p99_us", "p99 µs"), ("max_rss_kb", "max RSS KiB")):
            rows.append(("mock", f"{op} 1024 in flight: {name}",
                         *[g(c, f) for c in ("lite", "off", "on", "floor")], "", []))
    for conc in (1, 64):
        for op in ("start", "describe", "history"):
            for f, name in (("p50_us", "p50 µs"), ("p99_us", "p99 µs")):
                g = lambda col: get(col, "dev", op, conc, f)  # noqa: E731
                lite, off, on = g("lite"), g("off"), g("on")
                if lite is None:
                    continue
                rows.append(("dev", f"{op} c={conc} {name}", lite, off, on, None,
                             "≤1.0x off", [check(ratio(lite, off), "<=", 1.0)]))
            g = lambda col: get(col, "dev", op, conc, "calls_per_s")  # noqa: E731
            if g("lite") is not None:
                rows.append(("dev", f"{op} c={conc} calls/s", g("lite"), g("off"), g("on"),
                             None, "", []))
    lite, off = fp.get("lite", {}), fp.get("official", {})
    if lite:
        for key, name in (("normal", "crates (normal deps)"),
                          ("normal,build", "crates (normal + build deps)")):
            a = lite.get("crates", {}).get(key)
            b = off.get("crates", {}).get(key)
            rows.append(("footprint", name, a, b, None, None, "≤0.33x",
                         [check(ratio(a, b), "<=", 1 / 3)]))
        a, b = lite.get("clean_build_s"), off.get("clean_build_s")
        note = "; ".join(f"{n}: {d.get('clean_build_note', '')}" for n, d in
                         (("lite", lite), ("official", off)) if d.get("clean_build_note"))
        rows.append(("footprint", "clean release build s", a, b, None, None,
                     "≤0.33x" + (f" ({note})" if note else ""),
                     [check(ratio(a, b), "<=", 1 / 3)]))
        a, b = lite.get("stripped_bytes"), off.get("stripped_bytes")
        rows.append(("footprint", "stripped binary bytes", a, b, None, None, "≤0.33x",
                     [check(ratio(a, b), "<=", 1 / 3)]))
        a, b = lite.get("max_rss_kb"), off.get("max_rss_kb")
        rows.append(("footprint", "minimal program max RSS KiB", a, b, None, None, "≤0.5x",
                     [check(ratio(a, b), "<=", 0.5)]))
    th = fp.get("thumb", {})
    for k, v in sorted(th.items()):
        rows.append(("footprint", f"thumbv7em {k}", v, None, None, None, "", []))
    return rows


def render(rows, header_note):
    lines = [header_note, "",
             "| | figure | lite | official gzip off (fastest) | official default (gzip on) "
             "| floor (bare h2) | lite/off | lite/default | lite/floor | target | result |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    passes = fails = 0
    for section, figure, lite, off, on, fl, target, checks in rows:
        known = [c for c in checks if c is not None]
        if not checks:
            verdict = ""
        elif not known:
            verdict = "n/a"
        elif all(known):
            verdict = "PASS"
            passes += 1
        else:
            verdict = "FAIL"
            fails += 1
        lines.append(
            f"| {section} | {figure} | {fmt(lite)} | {fmt(off)} | {fmt(on)} | {fmt(fl)} "
            f"| {rfmt(ratio(lite, off))} | {rfmt(ratio(lite, on))} | {rfmt(ratio(lite, fl))} "
            f"| {target} | {verdict} |")
    lines.append("")
    lines.append(f"{passes} targets met, {fails} missed.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="1 repetition, fewer calls, no clean builds (cached figures)")
    ap.add_argument("--reps", type=int, default=0, help="repetitions (default 3, quick 1)")
    ap.add_argument("--no-official", action="store_true", help="our side only (CI smoke)")
    ap.add_argument("--no-dev", action="store_true", help="skip the dev server runs")
    ap.add_argument("--no-footprint", action="store_true")
    ap.add_argument("--no-clean-build", action="store_true",
                    help="use cached clean build times")
    ap.add_argument("--max-streams", type=int, default=100,
                    help="the mock server's SETTINGS_MAX_CONCURRENT_STREAMS")
    args = ap.parse_args()

    os.makedirs(RESULTS, exist_ok=True)
    cpus = sorted(os.sched_getaffinity(0))
    client_cpu, server_cpu = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    log(f"clients on CPU {client_cpu}, servers on CPU {server_cpu} "
        f"(load {open('/proc/loadavg').read().split()[0]})")
    t0 = time.time()
    servers = Servers(server_cpu)
    try:
        records = measure_all(args, servers, client_cpu)
        servers.stop()
        fp = {}
        if not args.no_footprint:
            # A fresh mock answers the minimal programs (for their RSS); nothing else runs
            # during the timed clean builds.
            addr = servers.start_mock(args.max_streams)
            fp = footprint(args, addr, client_cpu)
    finally:
        servers.stop()
    med = medians(records)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(RESULTS, f"{stamp}.jsonl"), "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
        f.write(json.dumps({"footprint": fp}) + "\n")
    reps = args.reps or (1 if args.quick else 3)
    note = (f"temporal-lite vs temporalio-client 1.1.1: {'quick, ' if args.quick else ''}"
            f"median of {reps} run(s), {stamp}, {os.cpu_count()} CPUs, clients on CPU "
            f"{client_cpu}, servers on CPU {server_cpu}. Ratios are lite / theirs; "
            f"'off' is the official client with gzip off (its fastest setting), 'default' "
            f"with its default (gzip on). CPU µs/call = getrusage(user+sys) / calls of the "
            f"client process; mock = benches/mock-server, dev = temporal server start-dev.")
    table = render(build_rows(med, fp), note)
    with open(os.path.join(RESULTS, f"{stamp}.md"), "w") as f:
        f.write(table + "\n")
    print(table)
    log(f"done in {time.time() - t0:.0f}s; raw figures in benches/results/{stamp}.jsonl")


if __name__ == "__main__":
    main()
