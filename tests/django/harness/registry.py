"""`@scenario(...)`: what a scenario does at run time, checked by the harness.

Static expectations (what ormhint must report) are written inline as trailing
comments `# expect: ORM101` on the exact line; `@scenario` says what the real ORM
does when the function runs:

kind="n_plus_one"   query count grows with the data (5 rows -> 10 rows)
kind="constant"     query count is the same at both sizes
kind="count_query"  constant; sql="count" (a COUNT( query ran) or sql="rows"
                    (a full SELECT of the rows ran, no COUNT)
kind="per_object"   a related row is loaded per object access; `fixed_queries`
                    (required) is what the fix brings it to, and is lower
kind="raises"       both sizes raise `error` (the Django exception class name)
kind="writes_per_row"  the INSERT/UPDATE/DELETE statements grow with the data
                    (5 rows -> 10 rows); fixed, constant with the same result (the
                    scenarios return the rows written, so the same database state)

queries=N        exact query count at both sizes (for raises: queries run before it raised)
fixed_queries=N  exact query count at both sizes once `ormhint check --fix` rewrote it
"""

from dataclasses import dataclass

KINDS = ("n_plus_one", "constant", "count_query", "per_object", "raises", "writes_per_row")


@dataclass
class Scenario:
    module: str  # "scenarios.orm101"
    name: str  # function name
    kind: str
    error: str | None = None
    sql: str | None = None
    queries: int | None = None
    fixed_queries: int | None = None
    note: str | None = None

    @property
    def id(self):
        return f"{self.module.rsplit('.', 1)[-1]}:{self.name}"


def scenario(kind, *, error=None, sql=None, queries=None, fixed_queries=None, note=None):
    if kind not in KINDS:
        raise ValueError(f"unknown scenario kind {kind!r}")
    if kind == "raises" and not error:
        raise ValueError("kind='raises' needs error=")
    if kind == "count_query" and sql not in ("count", "rows"):
        raise ValueError("kind='count_query' needs sql='count' or sql='rows'")
    if kind == "per_object" and fixed_queries is None:
        raise ValueError("kind='per_object' needs fixed_queries=")

    def decorate(func):
        func.scenario = Scenario(
            module=func.__module__,
            name=func.__name__,
            kind=kind,
            error=error,
            sql=sql,
            queries=queries,
            fixed_queries=fixed_queries,
            note=note,
        )
        return func

    return decorate
