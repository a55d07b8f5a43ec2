#!/usr/bin/env python3
"""Runs ormhint and ruff over a workspace side by side and prints a table of figures.

    python3 benches/measure.py --ormhint BIN --ruff BIN WORKSPACE [--runs 5] [--warmup 1] [--warm]

The tools run alternately (ormhint, ruff, ormhint, ...), so a change in the machine's
load touches both alike. Cold runs skip each tool's cache (`--no-cache`); with `--warm`
each tool also runs with its cache after one run that fills it, nothing changed in
between. Wall time is the median of `--runs` runs after `--warmup` warm-up runs,
measured with time.perf_counter around the subprocess; CPU time (user + system) and
peak RSS come from `/usr/bin/time -f %M %U %S` when that exists (else peak RSS from
resource.getrusage(RUSAGE_CHILDREN) in a fresh Python process per run, which can read a
few MiB high, and no CPU time). The load average is printed before and after. Findings
are counted from one extra, untimed run with JSON output. Nothing is asserted: this
only prints.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"

# Run in a fresh interpreter: its RUSAGE_CHILDREN covers only the one command it waits for.
_RUSAGE_CHILD = r"""
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def count_workspace(root: str) -> tuple[int, int]:
    files = lines = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in filenames:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(dirpath, name), "rb") as fh:
                    lines += fh.read().count(b"\n")
    return files, lines


def run_once(cmd: list[str], use_gnu_time: bool) -> tuple[float, int, float | None]:
    """Wall seconds, peak RSS in KiB and CPU seconds (None if unknown) of one run."""
    if use_gnu_time:
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
            start = time.perf_counter()
            subprocess.run(
                [GNU_TIME, "-f", "%M %U %S", "-o", out.name, *cmd],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            wall = time.perf_counter() - start
            rss, user, system = out.read().strip().splitlines()[-1].split()
        return wall, int(rss), float(user) + float(system)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUSAGE_CHILD, *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return wall, int(proc.stdout.strip()), None


def measure_alternately(cmds: dict[str, list[str]], runs: int, warmup: int, use_gnu_time: bool) -> dict:
    """Runs each command once per round, in turn; figures per command name."""
    for _ in range(warmup):
        for cmd in cmds.values():
            run_once(cmd, use_gnu_time)
    samples = {name: {"walls": [], "rss": [], "cpu": []} for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            wall, rss, cpu = run_once(cmd, use_gnu_time)
            samples[name]["walls"].append(wall)
            samples[name]["rss"].append(rss)
            samples[name]["cpu"].append(cpu)
    return {
        name: {
            "walls": s["walls"],
            "median": statistics.median(s["walls"]),
            "rss": max(s["rss"]),
            "cpu": None if None in s["cpu"] else statistics.median(s["cpu"]),
        }
        for name, s in samples.items()
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def count_findings(cmd: list[str]) -> int:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    return len(json.loads(proc.stdout))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("workspace")
    parser.add_argument("--ormhint", required=True)
    parser.add_argument("--ruff", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--warm", action="store_true", help="also time runs with each tool's cache")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    ws = args.workspace
    use_gnu_time = os.access(GNU_TIME, os.X_OK)
    files, lines = count_workspace(ws)
    ormhint = [args.ormhint, "check", "--exit-zero"]
    ruff = [args.ruff, "check", "--select", "ALL", "--exit-zero"]
    cold = {"ormhint": [*ormhint, "--no-cache", ws], "ruff": [*ruff, "--no-cache", ws]}
    warm = {"ormhint (warm)": [*ormhint, ws], "ruff (warm)": [*ruff, ws]}
    print(f"workspace: {ws}: {files} .py files, {lines} lines")
    print(f"cpus: {os.cpu_count()}; runs: {args.runs} after {args.warmup} warm-up, alternating; "
          f"peak RSS via {'/usr/bin/time' if use_gnu_time else 'getrusage(RUSAGE_CHILDREN)'}")
    print(f"load average before: {load_average()}")
    for name, cmd in {**cold, **(warm if args.warm else {})}.items():
        print(f"{name}: {' '.join(cmd)}", flush=True)
    figures = measure_alternately(cold, args.runs, args.warmup, use_gnu_time)
    if args.warm:
        # Fill both caches first: warm-up runs of the warm commands do.
        figures.update(measure_alternately(warm, args.runs, max(args.warmup, 1), use_gnu_time))
    print(f"load average after: {load_average()}")
    figures["ormhint"]["findings"] = count_findings([*cold["ormhint"][:-1], "--output-format", "json", ws])
    figures["ruff"]["findings"] = count_findings([*cold["ruff"][:-1], "--output-format", "json", ws])

    header = (f"{'tool':<16}{'median wall (s)':>16}{'min-max (s)':>16}{'CPU (s)':>10}"
              f"{'lines/s':>12}{'peak RSS (MiB)':>16}{'findings':>10}")
    print()
    print(header)
    print("-" * len(header))
    for name, t in figures.items():
        span = f"{min(t['walls']):.3f}-{max(t['walls']):.3f}"
        cpu = "" if t["cpu"] is None else f"{t['cpu']:.2f}"
        print(
            f"{name:<16}{t['median']:>16.3f}{span:>16}{cpu:>10}{lines / t['median']:>12,.0f}"
            f"{t['rss'] / 1024:>16.1f}{t.get('findings', ''):>10}"
        )
    pairs = [("ormhint", "ruff")] + ([("ormhint (warm)", "ruff (warm)")] if args.warm else [])
    for o, r in pairs:
        o, r = figures[o], figures[r]
        cpu = "" if o["cpu"] is None or not r["cpu"] else f"{o['cpu'] / r['cpu']:.2f}"
        label = "ratio" if o is figures["ormhint"] else "ratio (warm)"
        print(
            f"{label:<16}{o['median'] / r['median']:>16.2f}{'':>16}{cpu:>10}"
            f"{r['median'] / o['median']:>12.2f}{o['rss'] / r['rss']:>16.2f}{'':>10}"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"files": files, "lines": lines, "tools": figures}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
