"""Finding and running the ormhint binary; normalising its JSON findings."""

import json
import os
import subprocess

from harness.setup import HERE

REPO = os.path.dirname(os.path.dirname(HERE))


def binary():
    """Path of the ormhint binary: $ORMHINT_BIN, else target/debug/ormhint (built if absent)."""
    explicit = os.environ.get("ORMHINT_BIN")
    path = explicit or os.path.join(REPO, "target", "debug", "ormhint")
    if not os.path.isabs(path):
        path = os.path.join(REPO, path)
    if not os.path.exists(path):
        if explicit:
            raise RuntimeError(f"ORMHINT_BIN={explicit} does not exist")
        build = subprocess.run(
            ["cargo", "build", "--bin", "ormhint"], cwd=REPO, capture_output=True, text=True
        )
        if build.returncode != 0 or not os.path.exists(path):
            raise RuntimeError(f"cargo build failed:\n{build.stderr[-3000:]}")
    return path


def run(args, cwd=REPO):
    return subprocess.run([binary(), *args], cwd=cwd, capture_output=True, text=True)


def parse_findings(stdout, checked_root, cwd, base=HERE):
    """JSON array -> list of dicts with `rel` (path relative to `base`), `row`, `code`."""
    if not stdout.strip():
        raise ValueError("ormhint printed nothing on stdout (expected one JSON array)")
    data = json.loads(stdout)
    if not isinstance(data, list):
        raise ValueError(f"expected a JSON array, got {type(data).__name__}")
    out = []
    for item in data:
        path = item["path"]
        candidates = [path] if os.path.isabs(path) else [
            os.path.join(checked_root, path), os.path.join(cwd, path)
        ]
        real = next((c for c in candidates if os.path.exists(c)), candidates[0])
        rel = os.path.relpath(os.path.realpath(real), os.path.realpath(base)).replace(os.sep, "/")
        out.append(
            {
                "rel": rel,
                "row": item["location"]["row"],
                "code": item["code"],
                "has_fix": bool(item.get("fix"))
                and item["fix"].get("applicability", "safe") == "safe",
                "message": item.get("message", ""),
            }
        )
    return out
