"""Run scenarios against seeded data at two sizes and record output and queries.

    python -m harness.runner [--out FILE] [ID ...]    (cwd: tests/django or a copy of it)

prints (or writes) JSON: {id: {"kind": ..., "sizes": {"5": {...}, "10": {...}}}}.
"""

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.setup import HERE, setup  # noqa: E402

SIZES = (5, 10)
RULE_MODULE_PREFIX = "orm"
DJANGO_61_SUFFIX = "_django61"


def scenario_modules():
    """Names of the scenario modules, `scenarios.orm101` ... in code order. Modules named
    `..._django61` use what Django 6.1 added: they run under 6.1 and later only."""
    import django

    path = os.path.join(HERE, "scenarios")
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([path])
        if m.name.startswith(RULE_MODULE_PREFIX)
        and (not m.name.endswith(DJANGO_61_SUFFIX) or django.VERSION >= (6, 1))
    )
    return [f"scenarios.{n}" for n in names]


def discover():
    """All decorated scenario functions, in module and line order."""
    setup()
    found = []
    for modname in scenario_modules():
        module = importlib.import_module(modname)
        funcs = [
            f
            for f in vars(module).values()
            if inspect.isfunction(f) and getattr(f, "scenario", None) is not None
            and f.__module__ == modname
        ]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        found.extend(funcs)
    return found


def _jsonable(value):
    return json.loads(json.dumps(value, default=repr))


def resolve(target):
    """`scenarios.orm101:f`, `orm101:f` or `pkg.mod:f` -> function."""
    setup()
    modname, _, fname = target.partition(":")
    if not fname:
        raise SystemExit(f"expected MODULE:FUNCTION, got {target!r}")
    if "." not in modname:
        modname = f"scenarios.{modname}"
    return getattr(importlib.import_module(modname), fname)


def run_one(func, size):
    """Seed `size` rows, run `func` once, roll everything back. Returns a record."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from harness.seed import seed

    record = {}
    with transaction.atomic():
        seed(size)
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            try:
                record["result"] = _jsonable(func())
                record["error"] = None
            except Exception as exc:  # the scenario's own error is data
                record["result"] = None
                record["error"] = type(exc).__name__
                record["message"] = str(exc)[:300]
        sql = [q["sql"] for q in ctx.captured_queries]
        record["sql"] = [s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
        record["queries"] = len(record["sql"])
        transaction.set_rollback(True)
    return record


def run_all(funcs=None):
    funcs = discover() if funcs is None else funcs
    results = {}
    for func in funcs:
        sc = func.scenario
        results[sc.id] = {
            "kind": sc.kind,
            "sizes": {str(n): run_one(func, n) for n in SIZES},
        }
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args(argv)
    funcs = discover()
    if args.ids:
        wanted = set(args.ids)
        funcs = [f for f in funcs if f.scenario.id in wanted]
    emit(json.dumps(run_all(funcs), indent=1, sort_keys=True), args.out)


def emit(data, out):
    """Writes `data` to the file `out`, or prints it when there is none."""
    if out:
        with open(out, "w") as fh:
            fh.write(data)
    else:
        print(data)


if __name__ == "__main__":
    main()
