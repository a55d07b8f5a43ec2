#!/usr/bin/env python3
"""A long editing session: the same edit made and undone thousands of times, to see
whether the language server's latency or memory drifts. Side by side with djch's server.

    python3 benches/lsp_drift.py [WORKSPACE] [--file PATH] [--edits 5000]
                                 [--line N] [--insert TEXT] [--ormhint BIN] [--djch BIN]
                                 [--slowest N] [--pull] [--pause-every N [--pause-ms MS]]

WORKSPACE defaults to target/bench-workspace (benches/generate.py), PATH (relative to it)
to reports/big_views.py (3,000 lines). The edit toggles a `.select_related(...)` on a
queryset line: inserted after `.objects` (edit 1), removed (edit 2), inserted again...
The line is the first one that iterates `X.objects.all()`/`.filter(...)` and reads a
relation of its rows (`obj.rel.attr`), and TEXT `.select_related("rel")`; both can be
given. The findings change with each edit (the missing-select-related finding comes and
goes); what the index knows does not.

ormhint gets incremental changes and pushes its diagnostics (timed from the `didChange`
to the `publishDiagnostics` of that version, as benches/lsp_latency.py does); djch
declares full sync and pulled diagnostics, so it gets the whole text and is asked with
`textDocument/diagnostic` (timed from the `didChange` to the answer). Each edit goes to
ormhint, then to djch, in one run, so both see the same machine load.

Printed: median, p90, p99 and max over all edits and per window (the first 200, then
each following 1,000), the count of edits over 20 ms per window, the server's resident
memory (VmRSS of /proc/<pid>/status) after the first diagnostics and at the end of each
window, the servers' CPU time per edit in each window (all threads, /proc/<pid>/stat:
unlike wall time, it does not count waiting for a core), and the load average before
and after. Python's garbage collector is off while
edits are timed (see the comment in `main`). With --slowest N: ormhint's N slowest
edits with the server's own per-phase timings (ORMHINT_TIMINGS) and how many
definitions (or parts of classes) the analysis walked rather than took from its cache.
With --pull, ormhint's diagnostics are pulled as djch's are; with --pause-every N, a
typing pause (250 ms) follows every N edits, so the server re-reads the buffer for its
index meanwhile. Asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_latency import PHASES, Server, percentile, utf16_len

LOOP = re.compile(r"for (\w+) in .*\.objects\.(all|filter)\(")


def toggle_place(lines: list[str]) -> tuple[int, str] | None:
    """The first loop over `X.objects.all()`/`.filter()` whose row's relation is read on
    the same line or the next three: its line and the relation."""
    for n, line in enumerate(lines):
        match = LOOP.search(line)
        if not match or "select_related" in line:
            continue
        var = match.group(1)
        body = "\n".join(lines[n : n + 4])
        read = re.search(rf"\b{var}\.(\w+)\.\w", body)
        if read:
            return n, read.group(1)
    return None


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def initialize(server: Server, workspace: Path, timeout: float, pull: bool = False) -> None:
    pulled = {"diagnostic": {"dynamicRegistration": False}} if pull else {}
    server.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workspace.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "synchronization": {"dynamicRegistration": False},
                    "publishDiagnostics": {"versionSupport": True},
                    **pulled,
                },
                # A server pulled from may be told to pull again.
                "workspace": {"workspaceFolders": True, **({"diagnostics": {"refreshSupport": True}} if pull else {})},
            },
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": workspace.name}],
            "initializationOptions": {},
        },
        timeout,
    )
    server.notify("initialized", {})


class Pushing:
    """ormhint's server pushing its diagnostics: each change is timed to the
    `publishDiagnostics` of its version."""

    def __init__(self, binary: str, workspace: Path, uri: str, text: str, timeout: float) -> None:
        self.server = Server(binary, str(workspace))
        self.uri = uri
        self.timeout = timeout
        initialize(self.server, workspace, timeout)
        doc = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.server.notify("textDocument/didOpen", {"textDocument": doc})
        _, first = self.server.wait(self.published(1), timeout, "first diagnostics")
        self.server.drop_pending()
        self.count = len(first["params"]["diagnostics"])

    def published(self, version: int):
        return lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"].get("uri") == self.uri
            and m["params"].get("version") == version
        )

    def edit(self, version: int, text: str, change: dict) -> tuple[float, int]:
        sent = self.server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": version}, "contentChanges": [change]},
        )
        arrived, message = self.server.wait(self.published(version), self.timeout, f"diagnostics of version {version}")
        self.server.drop_pending()
        return (arrived - sent) / 1e6, len(message["params"]["diagnostics"])


class Pulling:
    """A server asked for its diagnostics with `textDocument/diagnostic` after each
    change: djch (full-text sync), or ormhint with --pull (incremental)."""

    def __init__(self, binary: str, workspace: Path, uri: str, text: str, timeout: float, full: bool) -> None:
        self.server = Server(binary, str(workspace))
        self.uri = uri
        self.timeout = timeout
        self.full = full
        initialize(self.server, workspace, timeout, pull=True)
        doc = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.server.notify("textDocument/didOpen", {"textDocument": doc})
        self.count = len(self.pull())

    def pull(self) -> list:
        answer = self.server.request(
            "textDocument/diagnostic", {"textDocument": {"uri": self.uri}}, self.timeout
        )
        self.server.drop_pending()
        return answer.get("result", {}).get("items", [])

    def edit(self, version: int, text: str, change: dict) -> tuple[float, int]:
        """Sends one change; the milliseconds to the diagnostics and how many there are."""
        sent = self.server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": version},
                "contentChanges": [{"text": text} if self.full else change],
            },
        )
        count = len(self.pull())
        return (time.perf_counter_ns() - sent) / 1e6, count


def windows(n: int) -> list[tuple[int, int]]:
    """Edit index ranges: the first 200, then each following 1,000."""
    bounds = [(0, min(200, n))]
    while bounds[-1][1] < n:
        start = bounds[-1][1]
        bounds.append((start, min(start + 1000, n)))
    return bounds


def summary(times: list[float]) -> str:
    s = sorted(times)
    slow = sum(1 for t in s if t > 20)
    return (
        f"{statistics.median(s):6.2f} {percentile(s, 90):6.2f} {percentile(s, 99):6.2f} "
        f"{s[-1]:7.2f} {slow:5d}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", nargs="?", default="target/bench-workspace")
    parser.add_argument("--file", default="reports/big_views.py")
    parser.add_argument("--edits", type=int, default=5000)
    parser.add_argument("--line", type=int, help="1-based line to edit (default: found)")
    parser.add_argument("--insert", help='text toggled after ".objects" (default: found)')
    parser.add_argument("--ormhint", default="target/release/ormhint")
    parser.add_argument("--djch", default="djch", help="djch binary; 'none' to skip")
    parser.add_argument("--pause-every", type=int, default=0, help="pause after every N edits")
    parser.add_argument("--pause-ms", type=float, default=250.0, help="how long (a typing pause)")
    parser.add_argument("--pull", action="store_true", help="pull ormhint's diagnostics too")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--slowest", type=int, default=0)
    args = parser.parse_args()

    workspace = Path(args.workspace).resolve()
    path = workspace / args.file
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    found = toggle_place(lines)
    if args.line is not None:
        line = args.line - 1
    elif found:
        line = found[0]
    else:
        print("no queryset loop reading a relation found: give --line and --insert", file=sys.stderr)
        return 2
    insert = args.insert or (f'.select_related("{found[1]}")' if found else None)
    column = lines[line].find(".objects") + len(".objects")
    if column < len(".objects") or insert is None:
        print(f"line {line + 1} has no `.objects`: give --line and --insert", file=sys.stderr)
        return 2
    character = utf16_len(lines[line][:column])
    toggled = "\n".join(lines[:line] + [lines[line][:column] + insert + lines[line][column:]] + lines[line + 1 :])
    uri = path.as_uri()

    load_before = os.getloadavg()
    ormhint_bin = str(Path(args.ormhint).resolve())
    if args.pull:
        ormhint: Pushing | Pulling = Pulling(ormhint_bin, workspace, uri, text, args.timeout, full=False)
    else:
        ormhint = Pushing(ormhint_bin, workspace, uri, text, args.timeout)
    djch = None if args.djch == "none" else Pulling(args.djch, workspace, uri, text, args.timeout, full=True)

    counts = {False: ormhint.count}
    rss = {"ormhint": [rss_kib(ormhint.server.proc.pid)], "djch": [djch and rss_kib(djch.server.proc.pid)]}
    cpu = {"ormhint": [ormhint.server.cpu_seconds()], "djch": [djch and djch.server.cpu_seconds()]}
    ours: list[float] = []
    theirs: list[float] = []
    bounds = windows(args.edits)
    # A harness that keeps every message and times a reply once it is parsed sees one
    # slow edit in 28-38, growing (26, 47, 106, 141, 198, 259 ms by edit 173, 1 s by
    # edit 695) while the server's own phases stay at 4-5 ms: Python's full
    # collections walk everything kept, and run while the next big reply is parsed.
    # Nothing is kept here and replies are acyclic (reference counting frees them), so
    # the collector stays off while edits are timed.
    gc.disable()
    for i in range(args.edits):
        version = i + 2
        on = i % 2 == 0
        start = {"line": line, "character": character}
        end = {"line": line, "character": character + (0 if on else utf16_len(insert))}
        change = {"range": {"start": start, "end": end}, "text": insert if on else ""}
        now = toggled if on else text
        took, counts[on] = ormhint.edit(version, now, change)
        ours.append(took)
        if djch:
            theirs.append(djch.edit(version, now, change)[0])
        if args.pause_every and (i + 1) % args.pause_every == 0:
            time.sleep(args.pause_ms / 1000)
        if any(i + 1 == b for _, b in bounds):
            rss["ormhint"].append(rss_kib(ormhint.server.proc.pid))
            rss["djch"].append(djch and rss_kib(djch.server.proc.pid))
            cpu["ormhint"].append(ormhint.server.cpu_seconds())
            cpu["djch"].append(djch and djch.server.cpu_seconds())
    gc.enable()
    load_after = os.getloadavg()
    ormhint.server.stop(args.timeout)
    if djch:
        djch.server.stop(args.timeout)

    print(f"{path.relative_to(workspace)}: {len(text.splitlines())} lines; line {line + 1} toggles `{insert}`")
    print(f"ormhint: {counts[False]} diagnostics without it, {counts.get(True, '?')} with it", end="")
    print(f"; djch: {djch.count} diagnostics" if djch else "")
    print(f"{args.edits} edits; load average {'/'.join(f'{x:.2f}' for x in load_before)} before, "
          f"{'/'.join(f'{x:.2f}' for x in load_after)} after; {os.cpu_count()} cores")
    print()
    print(f"{'edits':>11} | {'ormhint: p50    p90    p99     max  >20ms':40} | {'djch: p50    p90    p99     max  >20ms' if djch else ''}")
    for start, end in [(0, args.edits)] + bounds:
        name = "all" if (start, end) == (0, args.edits) else f"{start + 1}-{end}"
        row = f"{name:>11} |        {summary(ours[start:end])} |"
        if djch:
            row += f"     {summary(theirs[start:end])}"
        print(row)
    print()
    for who, seconds in cpu.items():
        if None in seconds:
            continue
        per_edit = [
            f"{(seconds[k + 1] - seconds[k]) * 1000 / (end - start):.2f}" for k, (start, end) in enumerate(bounds)
        ]
        print(f"{who} CPU time per edit (ms, all threads), per window: {' '.join(per_edit)}")
    for who, values in rss.items():
        if values[0] is None:
            continue
        mib = [f"{v / 1024:.1f}" for v in values]
        print(f"{who} VmRSS (MiB) after the first diagnostics, then after each window: {' '.join(mib)}")
    if args.slowest:
        print()
        print(
            f"ormhint's {args.slowest} slowest edits: edit, ms, [{' '.join(p for p, _ in PHASES)}] in the server"
            ", definitions walked (the others came from the analysis' cache)"
        )
        ranked = sorted(range(len(ours)), key=lambda k: -ours[k])[: args.slowest]
        for k in sorted(ranked):
            phases = " ".join(f"{ormhint.server.phases.get((p, k + 2), float('nan')):6.1f}" for p, _ in PHASES)
            walked = ormhint.server.phases.get(("walked", k + 2))
            walked = "?" if walked is None else round(walked * 1000)
            print(f"  {k + 1:5d} {ours[k]:7.1f} [{phases}] {walked}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
