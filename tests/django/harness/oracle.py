"""Runtime oracle: learn what the real ORM does before labelling a scenario.

    cd tests/django && python -m harness.oracle scenarios.orm101:post_titles [more ...]
    (or: python oracle.py orm101:post_titles)

Prints the query count at each seed size, the result (or the exception) and the SQL.
The function need not be decorated with @scenario.
"""

import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.runner import SIZES, resolve, run_one  # noqa: E402


def report(target, show_sql=True, out=sys.stdout):
    func = resolve(target)
    records = {n: run_one(func, n) for n in SIZES}
    counts = [records[n]["queries"] for n in SIZES]
    verdict = "grows with size (N+1)" if counts[-1] > counts[0] else "constant"
    sc = getattr(func, "scenario", None)
    label = f"  declared kind: {sc.kind}" if sc else "  (not a declared scenario)"
    print(f"== {target}: queries " + " -> ".join(f"{c} @{n} rows" for c, n in zip(counts, SIZES))
          + f"  [{verdict}]", file=out)
    print(label, file=out)
    for n in SIZES:
        rec = records[n]
        if rec["error"]:
            print(f"  @{n}: raises {rec['error']}: {rec['message']}", file=out)
        else:
            text = repr(rec["result"])
            print(f"  @{n}: result {text[:200]}{'...' if len(text) > 200 else ''}", file=out)
    if show_sql:
        n = SIZES[-1]
        print(f"  SQL @{n} rows:", file=out)
        for i, sql in enumerate(records[n]["sql"], 1):
            print(f"   {i:3d}. {sql}", file=out)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    show_sql = "--no-sql" not in argv
    targets = [a for a in argv if not a.startswith("--")]
    if not targets:
        print(__doc__, file=sys.stderr)
        return 2
    for target in targets:
        report(target, show_sql=show_sql)
    return 0


if __name__ == "__main__":
    sys.exit(main())
