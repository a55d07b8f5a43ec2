"""Inline labels: `# expect: ORM101` (or `# expect: ORM101, ORM102`) on the reported line."""

import ast
import io
import os
import re
import tokenize

from harness.setup import HERE

RULES = (
    "ORM101", "ORM102", "ORM103", "ORM104", "ORM105", "ORM106", "ORM201", "ORM202", "ORM203",
    "ORM204", "ORM301", "ORM302", "ORM401", "ORM402", "ORM403", "ORM501", "ORM601", "ORM602",
    "ORM603",
)
EXPECT_RE = re.compile(r"#\s*expect:\s*(.*)$")
CODE_RE = re.compile(r"^ORM\d{3}$")
SKIP_DIRS = {"__pycache__", ".pytest_cache"}


def rule_of_module(module):
    """`scenarios.orm101` (or `scenarios.orm101_django61`) -> "ORM101"."""
    return module.rsplit(".", 1)[-1].split("_")[0].upper()


def file_labels(path):
    """{line: {codes}} from the comments of one file; raises ValueError on a bad label."""
    found = {}
    with open(path, "rb") as fh:
        source = fh.read()
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        match = EXPECT_RE.search(tok.string)
        if not match:
            continue
        codes = {c.strip() for c in match.group(1).split(",") if c.strip()}
        bad = [c for c in codes if not CODE_RE.match(c)]
        if bad or not codes:
            raise ValueError(f"{path}:{tok.start[0]}: malformed label {tok.string!r}")
        found.setdefault(tok.start[0], set()).update(codes)
    return found


def all_labels(root=HERE):
    """{(relpath, line, code)} for every .py file under `root` (paths with '/')."""
    labels = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            for line, codes in file_labels(path).items():
                labels.update((rel, line, code) for code in codes)
    return labels


def _functions(tree):
    """Top-level functions, and classes (a `ModelAdmin` a scenario renders)."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {n.name: n for n in tree.body if isinstance(n, kinds)}


def _called_names(node):
    """Functions called, names passed as arguments (`changelist(PostAdmin)`), and the
    names a class's attributes list (`inlines = [NoteInline]`)."""
    called = {
        name.id
        for c in ast.walk(node)
        if isinstance(c, ast.Call)
        for name in [c.func, *c.args]
        if isinstance(name, ast.Name)
    }
    if isinstance(node, ast.ClassDef):
        called.update(
            name.id
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            for name in ast.walk(stmt.value)
            if isinstance(name, ast.Name)
        )
    return called


def function_span(path, name):
    """(first line incl. decorators, last line) of a top-level function, with the
    module-level helpers it calls or passes on (transitively) as extra spans."""
    with open(path) as fh:
        tree = ast.parse(fh.read())
    funcs = _functions(tree)
    spans, seen, todo = [], set(), [name]
    while todo:
        fname = todo.pop()
        if fname in seen or fname not in funcs:
            continue
        seen.add(fname)
        node = funcs[fname]
        first = min([node.lineno] + [d.lineno for d in node.decorator_list])
        spans.append((first, node.end_lineno))
        todo.extend(_called_names(node))
    return spans


def function_source(path, name):
    """Source text of a top-level function and the module helpers it calls (for change detection)."""
    with open(path) as fh:
        text = fh.read()
    lines = text.splitlines()
    return "\n".join(
        "\n".join(lines[a - 1:b]) for a, b in sorted(function_span(path, name))
    )


def scenario_codes(scenario, root=HERE, labels=None):
    """Codes labelled inside a scenario function or the module helpers it calls."""
    labels = all_labels(root) if labels is None else labels
    rel = scenario.module.replace(".", "/") + ".py"
    spans = function_span(os.path.join(root, rel), scenario.name)
    return {
        code
        for (path, line, code) in labels
        if path == rel and any(a <= line <= b for a, b in spans)
    }
