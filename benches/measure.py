#!/usr/bin/env python3
"""Runs ormhint and ruff over a workspace side by side and prints a table of figures.

    python3 benches/measure.py --ormhint BIN --ruff BIN WORKSPACE [--runs 5] [--warmup 1]

Wall time is the median of `--runs` runs after `--warmup` warm-up runs, measured with
time.perf_counter around the subprocess. Peak RSS comes from `/usr/bin/time -f %M` when
that exists, else from resource.getrusage(RUSAGE_CHILDREN) in a fresh Python process
per run (that fallback can read a few MiB high for small processes: the high-water mark
of the forked interpreter counts). Findings are counted from one extra, untimed run with JSON output. Nothing is
asserted: this only prints.
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


def run_once(cmd: list[str], use_gnu_time: bool) -> tuple[float, int]:
    """Wall seconds and peak RSS in KiB of one run of `cmd`."""
    if use_gnu_time:
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
            start = time.perf_counter()
            subprocess.run(
                [GNU_TIME, "-f", "%M", "-o", out.name, *cmd],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            wall = time.perf_counter() - start
            rss = int(out.read().strip().splitlines()[-1])
        return wall, rss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUSAGE_CHILD, *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return wall, int(proc.stdout.strip())


def measure(cmd: list[str], runs: int, warmup: int, use_gnu_time: bool) -> dict:
    for _ in range(warmup):
        run_once(cmd, use_gnu_time)
    walls, rsss = [], []
    for _ in range(runs):
        wall, rss = run_once(cmd, use_gnu_time)
        walls.append(wall)
        rsss.append(rss)
    return {"walls": walls, "median": statistics.median(walls), "rss": max(rsss)}


def count_findings(cmd: list[str]) -> int:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    return len(json.loads(proc.stdout))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace")
    parser.add_argument("--ormhint", required=True)
    parser.add_argument("--ruff", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    ws = args.workspace
    use_gnu_time = os.access(GNU_TIME, os.X_OK)
    files, lines = count_workspace(ws)
    tools = {
        "ormhint": {
            "cmd": [args.ormhint, "check", "--exit-zero", ws],
            "json": [args.ormhint, "check", "--exit-zero", "--output-format", "json", ws],
        },
        "ruff": {
            "cmd": [args.ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", ws],
            "json": [
                args.ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero",
                "--output-format", "json", ws,
            ],
        },
    }
    print(f"workspace: {ws}: {files} .py files, {lines} lines")
    print(f"cpus: {os.cpu_count()}; runs: {args.runs} after {args.warmup} warm-up; "
          f"peak RSS via {'/usr/bin/time -f %M' if use_gnu_time else 'getrusage(RUSAGE_CHILDREN)'}")
    for name, tool in tools.items():
        print(f"{name}: {' '.join(tool['cmd'])}", flush=True)
        tool.update(measure(tool["cmd"], args.runs, args.warmup, use_gnu_time))
        tool["findings"] = count_findings(tool["json"])

    o, r = tools["ormhint"], tools["ruff"]
    header = f"{'tool':<14}{'median wall (s)':>16}{'min-max (s)':>16}{'lines/s':>12}{'peak RSS (MiB)':>16}{'findings':>10}"
    print()
    print(header)
    print("-" * len(header))
    for name, t in tools.items():
        span = f"{min(t['walls']):.3f}-{max(t['walls']):.3f}"
        print(
            f"{name:<14}{t['median']:>16.3f}{span:>16}{lines / t['median']:>12,.0f}"
            f"{t['rss'] / 1024:>16.1f}{t['findings']:>10}"
        )
    print(
        f"{'ormhint/ruff':<14}{o['median'] / r['median']:>16.2f}{'':>16}"
        f"{(lines / o['median']) / (lines / r['median']):>12.2f}{o['rss'] / r['rss']:>16.2f}{'':>10}"
    )
    if args.json:
        figures = {
            "files": files,
            "lines": lines,
            "tools": {
                k: {key: v[key] for key in ("cmd", "walls", "median", "rss", "findings")}
                for k, v in tools.items()
            },
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
