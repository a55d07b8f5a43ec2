#!/usr/bin/env python3
"""Drives `ormhint server` over stdio and prints how fast its diagnostics follow the text.

    python3 benches/lsp_latency.py [WORKSPACE] [--ormhint BIN] [--file PATH]
                                   [--edits 500] [--seed 1] [--timeout 60] [--slowest N]

WORKSPACE defaults to target/bench-workspace (see benches/generate.py), BIN to
target/release/ormhint, PATH (relative to the workspace) to reports/big_views.py, the
3,000-line view module. `benches/lsp.sh` builds, generates and runs this.

What is measured (wall clock, time.perf_counter_ns; a message counts as arrived when a
reader thread has read all of it):

- cold: the `initialized` notification -> the first `publishDiagnostics` of the file,
  opened right after `initialized`: loading the workspace (walk, read, parse, model
  index, in parallel) plus the first check of the file. When the server reports
  `$/progress`, the time to the end of the progress is shown too.
- edits: `--edits` one-character incremental `didChange`s (a space inserted at a seeded
  random place, then deleted again, alternately; UTF-16 positions), each sent once the
  previous one's diagnostics arrived, timed from the send to the `publishDiagnostics`
  carrying that version.
- inside the server (ORMHINT_TIMINGS, see server/src/lsp/timings.rs): median and p99 of
  each phase of an edit: apply and parse, analysis, conversion, serialisation; and the
  edits split by whether the text they leave has a syntax error.
- the server's CPU time (all threads, /proc/<pid>/stat) over the edits, per edit.
- peak RSS of the server process: VmHWM from /proc/<pid>/status, read before shutdown.
- for comparison, the wall time of `ormhint check` on the same tree (one run; skip with
  --no-check).

It prints a table and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


# The phases the server reports with ORMHINT_TIMINGS (see server/src/lsp/timings.rs).
PHASES = [
    ("apply", "apply the change, incremental parse"),
    ("analyse", "analysis (check_file_with, cached)"),
    ("convert", "diagnostics to LSP"),
    ("publish", "serialise and queue publishDiagnostics"),
]


class Server:
    """`ormhint server` as a child process, spoken to with Content-Length framing."""

    def __init__(self, binary: str, cwd: str) -> None:
        self.proc = subprocess.Popen(
            [binary, "server"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "ORMHINT_TIMINGS": "1"},
        )
        self.messages: queue.Queue[tuple[int, dict | None]] = queue.Queue()
        self.next_id = 1
        self.pending: list[tuple[int, dict]] = []
        # (phase, version) -> milliseconds, from the server's `ormhint-timing` lines.
        self.phases: dict[tuple[str, int], float] = {}
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_timings, daemon=True).start()

    def _read_timings(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            fields = line.split()
            if len(fields) == 4 and fields[0] == b"ormhint-timing":
                self.phases[(fields[1].decode(), int(fields[2]))] = int(fields[3]) / 1000

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            length = None
            while True:
                line = stdout.readline()
                if not line:
                    self.messages.put((time.perf_counter_ns(), None))
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length is None:
                continue
            body = stdout.read(length)
            now = time.perf_counter_ns()
            try:
                message = json.loads(body)
            except ValueError:
                continue
            self.messages.put((now, message))

    def send(self, message: dict) -> int:
        """Writes one message; the time just before the write."""
        body = json.dumps({"jsonrpc": "2.0", **message}, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        now = time.perf_counter_ns()
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        return now

    def notify(self, method: str, params: object) -> int:
        return self.send({"method": method, "params": params})

    def request(self, method: str, params: object, timeout: float) -> dict:
        ident = self.next_id
        self.next_id += 1
        self.send({"id": ident, "method": method, "params": params})
        _, message = self.wait(
            lambda m: m.get("id") == ident and "method" not in m, timeout, f"response to {method}"
        )
        return message

    def _answer(self, message: dict) -> None:
        """Answers the server's own requests (progress tokens, registrations, configuration)."""
        if message.get("method") == "workspace/configuration":
            items = message.get("params", {}).get("items", [])
            result: object = [None] * len(items)
        else:
            result = None
        self.send({"id": message["id"], "result": result})

    def wait(self, wanted, timeout: float, what: str) -> tuple[int, dict]:
        """The first message `wanted` accepts, with the time it arrived."""
        for i, (at, message) in enumerate(self.pending):
            if wanted(message):
                del self.pending[i]
                return at, message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} within {timeout} s")
            try:
                at, message = self.messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError(f"no {what} within {timeout} s") from None
            if message is None:
                raise RuntimeError(f"the server closed its output while waiting for {what}")
            if "method" in message and "id" in message:
                self._answer(message)
            if wanted(message):
                return at, message
            self.pending.append((at, message))

    def drop_pending(self) -> None:
        self.pending.clear()

    def peak_rss_kib(self) -> int | None:
        try:
            with open(f"/proc/{self.proc.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def cpu_seconds(self) -> float | None:
        """User and system CPU time the server (all its threads) used so far."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def stop(self, timeout: float) -> None:
        try:
            self.request("shutdown", None, timeout)
            self.notify("exit", None)
            self.proc.wait(timeout=timeout)
        except (TimeoutError, RuntimeError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def check_time(binary: str, workspace: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [binary, "check", "--exit-zero", "."],
        cwd=workspace,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", nargs="?", default="target/bench-workspace")
    parser.add_argument("--ormhint", default="target/release/ormhint")
    parser.add_argument("--file", default="reports/big_views.py")
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per answer")
    parser.add_argument("--no-check", action="store_true", help="skip the `ormhint check` run")
    parser.add_argument("--slowest", type=int, default=0, help="also list the N slowest edits")
    args = parser.parse_args()

    workspace = Path(args.workspace).resolve()
    binary = str(Path(args.ormhint).resolve())
    path = workspace / args.file
    if not path.is_file():
        print(f"no {path}: generate the workspace with benches/generate.py", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    lines = text.split("\n")  # the last one is empty when the file ends with a newline
    files = sum(1 for _ in workspace.rglob("*.py"))

    server = Server(binary, str(workspace))
    init = server.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workspace.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {
                    "synchronization": {"dynamicRegistration": False},
                    "publishDiagnostics": {"versionSupport": True, "relatedInformation": True},
                },
                "window": {"workDoneProgress": True},
                "workspace": {"workspaceFolders": True},
            },
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": workspace.name}],
            "initializationOptions": {},
        },
        args.timeout,
    )
    encoding = init.get("result", {}).get("capabilities", {}).get("positionEncoding", "utf-16")

    def diagnostics_of(version: int):
        return lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"].get("uri") == uri
            and m["params"].get("version") == version
        )

    # Cold: initialized -> indexing -> first diagnostics of the opened file.
    started = server.notify("initialized", {})
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    arrived, first = server.wait(diagnostics_of(1), args.timeout, "first diagnostics")
    cold_ms = (arrived - started) / 1e6
    first_count = len(first["params"]["diagnostics"])
    progress_end_ms = None
    for at, message in server.pending:
        if message.get("method") == "$/progress" and message["params"].get("value", {}).get("kind") == "end":
            progress_end_ms = (at - started) / 1e6
    server.drop_pending()
    rss_after_index = server.peak_rss_kib()
    cpu_before_edits = server.cpu_seconds()

    # Edits: a space in, then out again, at seeded random places.
    rng = random.Random(args.seed)
    latencies: list[float] = []
    by_version: dict[int, float] = {}
    where: dict[int, str] = {}
    version = 1
    place = None
    for i in range(args.edits):
        version += 1
        if place is None:
            line = rng.randrange(len(lines))
            chars = rng.randint(0, len(lines[line]))
            character = utf16_len(lines[line][:chars])
            place = (line, character)
            change = {
                "range": {
                    "start": {"line": line, "character": character},
                    "end": {"line": line, "character": character},
                },
                "text": " ",
            }
        else:
            line, character = place
            place = None
            change = {
                "range": {
                    "start": {"line": line, "character": character},
                    "end": {"line": line, "character": character + 1},
                },
                "text": "",
            }
        sent = server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
        )
        arrived, _ = server.wait(diagnostics_of(version), args.timeout, f"diagnostics of version {version}")
        latencies.append((arrived - sent) / 1e6)
        by_version[version] = latencies[-1]
        where[version] = f"{'+' if change['text'] else '-'} {line + 1}:{character}  {lines[line][:100]}"
        server.drop_pending()

    peak = server.peak_rss_kib()
    cpu_after_edits = server.cpu_seconds()
    server.stop(args.timeout)
    check_s = None if args.no_check else check_time(binary, str(workspace))

    latencies.sort()
    rows: list[tuple[str, str]] = [
        ("workspace", f"{workspace} ({files} .py files)"),
        ("file", f"{args.file} ({len(text.splitlines())} lines, {first_count} diagnostics)"),
        ("position encoding", encoding),
        ("cold: initialized -> first diagnostics", f"{cold_ms:.1f} ms"),
    ]
    if progress_end_ms is not None:
        rows.append(("cold: initialized -> end of indexing progress", f"{progress_end_ms:.1f} ms"))
    if check_s is not None:
        rows.append(("`ormhint check` of the same tree (1 run)", f"{check_s * 1000:.1f} ms"))
    if latencies:
        rows += [
            (f"didChange -> publishDiagnostics, {len(latencies)} edits: median", f"{statistics.median(latencies):.2f} ms"),
            ("  p90", f"{percentile(latencies, 90):.2f} ms"),
            ("  p99", f"{percentile(latencies, 99):.2f} ms"),
            ("  max", f"{latencies[-1]:.2f} ms"),
            ("  min", f"{latencies[0]:.2f} ms"),
        ]
        broken = {v for (phase, v) in server.phases if phase == "syntax-error"}
        for what, chosen in [
            ("edits leaving the file without syntax errors", sorted(t for v, t in by_version.items() if v not in broken)),
            ("edits leaving a syntax error", sorted(t for v, t in by_version.items() if v in broken)),
        ]:
            if chosen:
                rows.append(
                    (f"  {what} ({len(chosen)}): median / p99", f"{statistics.median(chosen):.2f} / {percentile(chosen, 99):.2f} ms")
                )
        if cpu_before_edits is not None and cpu_after_edits is not None:
            per_edit = (cpu_after_edits - cpu_before_edits) * 1000 / len(latencies)
            rows.append(("  server CPU time per edit (all threads)", f"{per_edit:.2f} ms"))
        rows.append(("inside the server, per edit (median / p99):", ""))
        for phase, what in PHASES:
            times = sorted(server.phases[(phase, v)] for v in range(2, version + 1) if (phase, v) in server.phases)
            if times:
                rows.append((f"  {what}", f"{statistics.median(times):.2f} / {percentile(times, 99):.2f} ms"))
    if rss_after_index is not None:
        rows.append(("peak RSS after the first diagnostics (VmHWM)", f"{rss_after_index / 1024:.1f} MiB"))
    if peak is not None:
        rows.append(("peak RSS of the server (VmHWM)", f"{peak / 1024:.1f} MiB"))

    if args.slowest:
        print(f"the {args.slowest} slowest edits: total ms [{' '.join(p for p, _ in PHASES)}], E if a syntax error is left, place")
        for v, t in sorted(by_version.items(), key=lambda item: -item[1])[: args.slowest]:
            phases = " ".join(f"{server.phases.get((phase, v), float('nan')):5.1f}" for phase, _ in PHASES)
            error = "E" if ("syntax-error", v) in server.phases else " "
            print(f"  {t:6.1f} [{phases}] {error} {where[v]}")
        print()

    width = max(len(name) for name, _ in rows)
    print(f"| {'ormhint server'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
