"""Django 6.1's deprecation warnings about `select_related()` with no arguments and
`ModelAdmin.list_select_related = True`, each at the line of the scenario file that
causes it: the call's line, or for a class (warned when it is defined) the line of its
`list_select_related` assignment.

    python -m harness.deprecations [--out FILE]    (cwd: tests/django or a copy of it)

prints (or writes) JSON: a sorted list of [path relative to the project, line].
"""

import argparse
import ast
import json
import os
import sys
import warnings

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.runner import SIZES, discover, emit, run_one  # noqa: E402
from harness.setup import HERE  # noqa: E402

MESSAGES = ("select_related() with no arguments", "list_select_related to True")


def collect():
    """Imports every scenario module and runs every scenario once, recording the warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for func in discover():
            run_one(func, SIZES[0])
    found = set()
    for w in caught:
        if not any(m in str(w.message) for m in MESSAGES):
            continue
        path = os.path.relpath(w.filename, HERE).replace(os.sep, "/")
        found.add((path, _setting_line(w.filename, w.lineno)))
    return sorted(found)


def _setting_line(filename, lineno):
    """`lineno`, or the `list_select_related` assignment of the class defined there."""
    with open(filename) as fh:
        tree = ast.parse(fh.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        if not first <= lineno <= node.body[0].lineno:
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "list_select_related" for t in stmt.targets
            ):
                return stmt.lineno
    return lineno


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    emit(json.dumps(collect()), args.out)


if __name__ == "__main__":
    main()
