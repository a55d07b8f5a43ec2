"""What a scenario's runtime record must look like, before and after `ormhint check --fix`."""

import re

from harness.runner import SIZES

BIG, SMALL = str(SIZES[-1]), str(SIZES[0])

# Positive scenarios of these rules must be fixed by `--fix`; the others may offer no fix.
FIX_REQUIRED = {"ORM101", "ORM102", "ORM104", "ORM201", "ORM202", "ORM203", "ORM204", "ORM302", "ORM601"}
# The runtime kind a positive of each rule must declare.
POSITIVE_KINDS = {
    # `raises`: Django 6.1's FETCH_RAISE blocks the load.
    "ORM101": {"n_plus_one", "raises"},
    "ORM102": {"n_plus_one"},
    "ORM103": {"n_plus_one"},
    "ORM104": {"n_plus_one", "raises"},
    "ORM105": {"n_plus_one"},
    "ORM106": {"constant"},
    "ORM201": {"count_query"},
    "ORM202": {"count_query"},
    "ORM203": {"per_object"},
    "ORM204": {"constant"},
    "ORM301": {"constant"},
    "ORM302": {"constant"},
    "ORM401": {"writes_per_row"},
    "ORM402": {"writes_per_row"},
    "ORM403": {"writes_per_row"},
    "ORM501": {"count_query"},
    "ORM601": {"raises"},
    "ORM602": {"raises"},
    # Deprecated spellings: the fix keeps the queries and silences the warning.
    "ORM603": {"constant"},
}


def _writes(sql_list):
    return sum(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in sql_list)


def _has_count(sql_list):
    return any("COUNT(" in s.upper() for s in sql_list)


def _fetches_rows(sql_list):
    return any(
        s.upper().startswith("SELECT") and "COUNT(" not in s.upper() and not s.upper().endswith("LIMIT 1")
        for s in sql_list
    )


def _only_aggregates(sql_list):
    """Every query computes an aggregate (no row fetched for Python to add up)."""
    return bool(sql_list) and all(
        s.upper().startswith("SELECT") and any(f in s.upper() for f in ("SUM(", "MAX(", "MIN(", "COUNT("))
        for s in sql_list
    )


def total_columns(sqls):
    """Columns selected over all queries that select columns; None when none does."""
    counts = [c for c in (select_columns(sql) for sql in sqls) if c is not None]
    return sum(counts) if counts else None


def select_columns(sql):
    """Number of columns in the SELECT list of one query."""
    m = re.match(r"\s*SELECT\s+(?:DISTINCT\s+)?(.*?)\s+FROM\s", sql, re.S | re.I)
    if not m:
        return None
    return m.group(1).count(",") + 1


def runtime_problems(sc, rec):
    """Check a scenario's record (both sizes) against its declared kind."""
    s, b = rec["sizes"][SMALL], rec["sizes"][BIG]
    probs = []
    if sc.kind == "raises":
        for size, r in rec["sizes"].items():
            if r["error"] != sc.error:
                probs.append(f"@{size}: expected {sc.error}, got {r['error'] or 'no exception'}")
    else:
        for size, r in rec["sizes"].items():
            if r["error"]:
                probs.append(f"@{size}: unexpected {r['error']}: {r.get('message')}")
    if sc.kind == "n_plus_one" and not b["queries"] > s["queries"]:
        probs.append(f"expected N+1 (queries grow), got {s['queries']} -> {b['queries']}")
    if sc.kind == "writes_per_row" and not _writes(b["sql"]) > _writes(s["sql"]):
        probs.append(
            f"expected writes per row (INSERT/UPDATE/DELETE grow), got {_writes(s['sql'])} -> {_writes(b['sql'])}"
        )
    if sc.kind in ("constant", "count_query", "raises") and s["queries"] != b["queries"]:
        probs.append(f"expected a constant query count, got {s['queries']} -> {b['queries']}")
    if sc.kind == "count_query":
        for size, r in rec["sizes"].items():
            if sc.sql == "count" and not _has_count(r["sql"]):
                probs.append(f"@{size}: expected a COUNT( query, ran {r['sql']}")
            if sc.sql == "rows" and (_has_count(r["sql"]) or not _fetches_rows(r["sql"])):
                probs.append(f"@{size}: expected a full SELECT of the rows, ran {r['sql']}")
    if sc.kind == "per_object":
        for size, r in rec["sizes"].items():
            if not r["queries"] > sc.fixed_queries:
                probs.append(
                    f"@{size}: expected more than fixed_queries={sc.fixed_queries}, got {r['queries']}"
                )
    if sc.queries is not None:
        for size, r in rec["sizes"].items():
            if r["queries"] != sc.queries:
                probs.append(f"@{size}: expected exactly {sc.queries} queries, got {r['queries']}")
    return probs


def fixed_problems(sc, rule, before, after):
    """A positive scenario after `--fix`: same output, and the cost the fix promises."""
    probs = []
    for size in (SMALL, BIG):
        bs, af = before["sizes"][size], after["sizes"][size]
        if af["error"]:
            probs.append(f"@{size}: fixed code raises {af['error']}: {af.get('message')}")
            continue
        if sc.kind != "raises" and af["result"] != bs["result"]:
            probs.append(f"@{size}: output changed: {bs['result']!r} -> {af['result']!r}")
    if probs:
        return probs
    s, b = after["sizes"][SMALL]["queries"], after["sizes"][BIG]["queries"]
    if s != b:
        probs.append(f"still grows with size after the fix: {s} -> {b}")
    if sc.fixed_queries is not None and (s, b) != (sc.fixed_queries, sc.fixed_queries):
        probs.append(f"expected fixed_queries={sc.fixed_queries}, got {s} / {b}")
    for size in (SMALL, BIG):
        bs, af = before["sizes"][size], after["sizes"][size]
        if rule == "ORM201":
            if _has_count(af["sql"]) or not any(q.upper().endswith("LIMIT 1") for q in af["sql"]):
                probs.append(f"@{size}: expected an EXISTS-style LIMIT 1 query, ran {af['sql']}")
        if rule == "ORM204" and (_has_count(af["sql"]) or not _fetches_rows(af["sql"])):
            probs.append(f"@{size}: expected the rows fetched once, no COUNT, ran {af['sql']}")
        if rule == "ORM501" and not _only_aggregates(af["sql"]):
            probs.append(f"@{size}: expected one aggregate query and no rows fetched, ran {af['sql']}")
        if rule == "ORM202" and not _has_count(af["sql"]):
            probs.append(f"@{size}: expected a COUNT( query, ran {af['sql']}")
        if rule in ("ORM301", "ORM302") and af["queries"] != bs["queries"]:
            probs.append(f"@{size}: query count changed {bs['queries']} -> {af['queries']}")
        if rule == "ORM301" and af["sql"] and bs["sql"]:
            # Over every query: a prefetch's columns are the second query's.
            cb, ca = total_columns(bs["sql"]), total_columns(af["sql"])
            if cb is not None and ca is not None and not ca < cb:
                probs.append(f"@{size}: expected fewer columns selected, {cb} -> {ca}")
    return probs


def joins(sql_list):
    return sum(s.upper().count(" JOIN ") for s in sql_list)


def dropped_load_problems(before, after):
    """An ORM106 positive after its unsafe fix: same output, and a query or a join less."""
    probs = []
    for size in (SMALL, BIG):
        bs, af = before["sizes"][size], after["sizes"][size]
        if af["error"] or af["result"] != bs["result"]:
            probs.append(f"@{size}: output changed: {bs['result']!r} -> {af['result']!r} {af['error'] or ''}")
            continue
        fewer = af["queries"] < bs["queries"] or (
            af["queries"] == bs["queries"] and joins(af["sql"]) < joins(bs["sql"])
        )
        if not fewer:
            probs.append(
                f"@{size}: expected a query or a join less, {bs['queries']} queries "
                f"({joins(bs['sql'])} joins) -> {af['queries']} ({joins(af['sql'])} joins)"
            )
    return probs


def unchanged_problems(before, after):
    """A negative scenario after `--fix` of the whole tree: same behaviour exactly."""
    probs = []
    for size in (SMALL, BIG):
        bs, af = before["sizes"][size], after["sizes"][size]
        for key in ("result", "error", "queries"):
            if bs[key] != af[key]:
                probs.append(f"@{size}: {key} changed: {bs[key]!r} -> {af[key]!r}")
    return probs
