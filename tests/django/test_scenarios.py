"""Every rule's claim checked against the real ORM (Django 5.2, SQLite in memory).

- test_catalogue_well_formed: labels parse, every rule has positives and at least as many
  negatives, positives declare the runtime kind their rule implies.
- test_runtime[...]: each scenario at 5 and 10 rows behaves as its @scenario kind says.
- test_static_*  (marker `static`): the ormhint binary must report exactly the labelled
  findings, and `--fix` must keep outputs identical while removing the extra queries.
  They fail until the rules are implemented; ORMHINT_SKIP_STATIC=1 skips them.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from harness import ormhint, report
from harness.checks import (
    BIG,
    SMALL,
    FIX_REQUIRED,
    POSITIVE_KINDS,
    dropped_load_problems,
    fixed_problems,
    runtime_problems,
    unchanged_problems,
)
from harness.labels import RULES, all_labels, function_source, rule_of_module, scenario_codes
from harness.runner import DJANGO_61_SUFFIX, discover, run_all, scenario_modules
from harness.setup import HERE

FUNCS = discover()
SCENARIOS = [f.scenario for f in FUNCS]
LABELS = all_labels()
CODES = {sc.id: scenario_codes(sc, labels=LABELS) for sc in SCENARIOS}
SKIP_STATIC = os.environ.get("ORMHINT_SKIP_STATIC") == "1"
# ORM301 ("only a few concrete fields are read") is a judgement call that many scenarios
# of other rules could trigger by design; it is checked only in its own module.
MODULE_SCOPED = {"ORM301": "scenarios/orm301.py"}
static = pytest.mark.static
skip_static = pytest.mark.skipif(SKIP_STATIC, reason="ORMHINT_SKIP_STATIC=1")


def rule_of(sc):
    return rule_of_module(sc.module)


def is_positive(sc):
    return rule_of(sc) in CODES[sc.id]


for _sc in SCENARIOS:
    report.rule(rule_of(_sc))["pos" if is_positive(_sc) else "neg"] += 1
for _path, _line, _code in LABELS:
    report.rule(_code)["labels"] += 1


def _source_line(rel, line):
    try:
        with open(os.path.join(HERE, rel)) as fh:
            return fh.read().splitlines()[line - 1].strip()
    except (OSError, IndexError):
        return ""


@pytest.fixture(scope="session")
def runtime():
    results = run_all(FUNCS)
    for sc in SCENARIOS:
        if is_positive(sc):
            report.rule(rule_of(sc))["q_before"] += results[sc.id]["sizes"][BIG]["queries"]
    return results


def test_catalogue_well_formed():
    problems = []
    modules = {rule_of_module(m) for m in scenario_modules()}
    for code in RULES:
        if code not in modules:
            problems.append(f"{code}: no scenarios/{code.lower()}.py")
            continue
        r = report.rule(code)
        if r["pos"] < 1:
            problems.append(f"{code}: no positive scenario")
        if r["neg"] < r["pos"]:
            problems.append(f"{code}: {r['neg']} negatives < {r['pos']} positives")
    claimed = set()
    for sc in SCENARIOS:
        rel = sc.module.replace(".", "/") + ".py"
        claimed |= {(rel, c) for c in CODES[sc.id]}
        if is_positive(sc) and sc.kind not in POSITIVE_KINDS[rule_of(sc)]:
            problems.append(
                f"{sc.id}: positive for {rule_of(sc)} but kind={sc.kind} "
                f"(expected {sorted(POSITIVE_KINDS[rule_of(sc)])})"
            )
    for path, line, code in sorted(LABELS):
        if code not in RULES:
            problems.append(f"{path}:{line}: {code} is not a rule under test")
        if MODULE_SCOPED.get(code, path) != path:
            problems.append(f"{path}:{line}: {code} labels belong in {MODULE_SCOPED[code]} only")
        # A module this Django does not run claims its labels when a Django that runs it does.
        skipped = path.endswith(DJANGO_61_SUFFIX + ".py") and path[:-3].replace("/", ".") not in scenario_modules()
        if (path, code) not in claimed and not skipped:
            problems.append(f"{path}:{line}: label {code} is in no scenario (or helper it calls)")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_runtime(sc, runtime):
    rec = runtime[sc.id]
    r = report.rule(rule_of(sc))
    r["runtime_total"] += 1
    problems = runtime_problems(sc, rec)
    if problems:
        pytest.fail(f"{sc.id} (kind={sc.kind}):\n" + "\n".join(problems), pytrace=False)
    r["runtime_ok"] += 1


@static
@skip_static
def test_static_findings_match_labels():
    """`ormhint check --output-format json --exit-zero tests/django` == the `# expect:` labels."""
    report.static_state["findings"] = "FAILED (see test output)"
    checked = os.path.join(ormhint.REPO, "tests", "django")
    res = ormhint.run(
        ["check", "--output-format", "json", "--exit-zero", os.path.relpath(checked, ormhint.REPO)]
    )
    if res.returncode != 0:
        pytest.fail(f"ormhint check exited {res.returncode}\nstderr:\n{res.stderr[-2000:]}", pytrace=False)
    expected = LABELS
    try:
        findings, bad_output = ormhint.parse_findings(res.stdout, checked, ormhint.REPO), None
    except ValueError as exc:
        findings, bad_output = None, str(exc)
    if bad_output is not None:
        for code in RULES:
            report.rule(code)["matched"] = 0
        report.static_state["findings"] = f"FAILED: {bad_output}; 0/{len(expected)} labelled findings"
        pytest.fail(
            f"{bad_output}; all {len(expected)} labelled findings are missing\n"
            f"exit code {res.returncode}, stderr:\n{res.stderr[-2000:]}",
            pytrace=False,
        )
    codes_in_scope = set(RULES) | {c for _, _, c in expected}

    def in_scope(f):
        return f["code"] in codes_in_scope and MODULE_SCOPED.get(f["code"], f["rel"]) == f["rel"]

    got = {(f["rel"], f["row"], f["code"]) for f in findings if in_scope(f)}
    others = sorted((f["rel"], f["row"], f["code"]) for f in findings if not in_scope(f))
    missing, extra = sorted(expected - got), sorted(got - expected)
    for _, _, code in expected & got:
        r = report.rule(code)
        r["matched"] = (r["matched"] or 0) + 1
    for code in RULES:
        if report.rule(code)["matched"] is None:
            report.rule(code)["matched"] = 0
    summary = (
        f"{len(expected & got)}/{len(expected)} labelled findings reported, "
        f"{len(missing)} missing, {len(extra)} unexpected"
    )
    report.static_state["findings"] = ("ok: " if not (missing or extra) else "FAILED: ") + summary
    if others:
        report.notes.append(
            f"(info) {len(others)} findings not compared (other rules, or ORM301 outside its "
            f"module): {others[:10]}"
        )
    lines = [summary]
    lines += [f"  missing  {p}:{n}: {c}   | {_source_line(p, n)}" for p, n, c in missing]
    lines += [f"  extra    {p}:{n}: {c}   | {_source_line(p, n)}" for p, n, c in extra]
    if missing or extra:
        pytest.fail("\n".join(lines), pytrace=False)


@static
@skip_static
def test_static_fixes_keep_output_and_remove_queries(runtime, tmp_path):
    """`ormhint check --fix` on a copy; the fixed scenarios re-run in a fresh interpreter."""
    report.static_state["fixes"] = "FAILED (see test output)"
    dst, after = _fixed_copy(tmp_path, ["--fix", "--exit-zero", "--select", ",".join(RULES)])
    problems, verified, total, unfixed_optional = [], 0, 0, []
    for sc in SCENARIOS:
        rule = rule_of(sc)
        rel = sc.module.replace(".", "/") + ".py"
        before_rec, after_rec = runtime[sc.id], after.get(sc.id)
        if after_rec is None:
            problems.append(f"{sc.id}: missing from the fixed copy")
            continue
        if not is_positive(sc):
            problems += [f"{sc.id} (negative): {p}" for p in unchanged_problems(before_rec, after_rec)]
            continue
        r = report.rule(rule)
        changed = function_source(os.path.join(HERE, rel), sc.name) != function_source(
            os.path.join(dst, rel), sc.name
        )
        # Another rule's fix (ORM301's `.only()`) may touch a scenario whose own rule
        # offers no safe fix: if it still raises the error it is about, it was not fixed.
        still_raises = sc.kind == "raises" and all(
            after_rec["sizes"][size]["error"] == sc.error for size in (SMALL, BIG)
        )
        # Likewise a loop of writes whose bulk write is unsafe (the model's own save(),
        # a receiver) or impossible (a multi-table child) still writes per row.
        still_writes = sc.kind == "writes_per_row" and (
            after_rec["sizes"][BIG]["queries"] > after_rec["sizes"][SMALL]["queries"]
        )
        # And a query per row whose rule offers no safe fix (ORM103 through a helper)
        # still grows when ORM301 only narrowed the rows of its loop.
        still_grows = sc.kind == "n_plus_one" and (
            after_rec["sizes"][BIG]["queries"] > after_rec["sizes"][SMALL]["queries"]
        )
        unfixed = still_raises or still_writes or still_grows
        if not changed or (unfixed and rule not in FIX_REQUIRED):
            if rule in FIX_REQUIRED:
                total += 1
                r["fix_total"] += 1
                r["fixed"] = r["fixed"] or 0
                problems.append(f"{sc.id}: no fix applied ({rule} fixes are required)")
            else:
                unfixed_optional.append(sc.id)
            continue
        total += 1
        r["fix_total"] += 1
        r["fixed"] = r["fixed"] or 0
        probs = fixed_problems(sc, rule, before_rec, after_rec)
        if probs:
            problems += [f"{sc.id}: {p}" for p in probs]
        else:
            verified += 1
            r["fixed"] += 1
            r["q_fixed_before"] += before_rec["sizes"][BIG]["queries"]
            r["q_after"] = (r["q_after"] or 0) + after_rec["sizes"][BIG]["queries"]
    summary = f"{verified}/{total} fixes verified, {len(problems)} problems"
    if unfixed_optional:
        summary += f"; no safe fix (allowed for ORM103/105/106/301/401-403/501/602/603) in {len(unfixed_optional)} positives"
    report.static_state["fixes"] = ("ok: " if not problems else "FAILED: ") + summary
    if problems:
        pytest.fail(summary + "\n" + "\n".join(problems), pytrace=False)


@static
@skip_static
def test_unsafe_fixes_repair_unknown_lookups(runtime, tmp_path):
    """ORM602's fix (the close name) is unsafe: `--fix` leaves it, `--fix --unsafe-fixes`
    applies it. Each ORM602 positive it changes must then run without the error, with a
    query count that does not grow with the rows."""
    dst, after = _fixed_copy(tmp_path, ["--fix", "--unsafe-fixes", "--exit-zero", "--select", "ORM602"])
    problems, repaired = [], 0
    for sc in SCENARIOS:
        if rule_of(sc) != "ORM602" or not is_positive(sc):
            continue
        rel = sc.module.replace(".", "/") + ".py"
        if function_source(os.path.join(HERE, rel), sc.name) == function_source(
            os.path.join(dst, rel), sc.name
        ):
            continue
        rec = after[sc.id]["sizes"]
        errors = [f"@{s}: {rec[s]['error']}: {rec[s].get('message')}" for s in (SMALL, BIG) if rec[s]["error"]]
        if errors:
            problems += [f"{sc.id}: still fails after the unsafe fix: {e}" for e in errors]
        elif rec[BIG]["queries"] != rec[SMALL]["queries"]:
            problems.append(f"{sc.id}: queries grow after the unsafe fix: {rec[SMALL]['queries']} -> {rec[BIG]['queries']}")
        else:
            repaired += 1
    r = report.rule("ORM602")
    r["fixed"] = repaired
    r["fix_total"] = repaired + len({p.split(":")[0] for p in problems})
    report.static_state["unsafe"] = f"{repaired} ORM602 positives repaired by the unsafe fix, {len(problems)} problems"
    if problems or repaired == 0:
        pytest.fail("\n".join(problems) or "no ORM602 fix was applied", pytrace=False)


def _fixed_copy(tmp_path, args):
    """Copies the project, runs `ormhint check <args>` on the copy, runs every scenario of
    the copy in a fresh interpreter, and returns (copy path, results by scenario id)."""
    dst = tmp_path / "django"
    shutil.copytree(HERE, dst, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    res = ormhint.run(["check", *args, str(dst)], cwd=str(tmp_path))
    if res.returncode != 0:
        pytest.fail(f"ormhint check {' '.join(args)} exited {res.returncode}\n{res.stderr[-2000:]}", pytrace=False)
    out = tmp_path / "fixed.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DJANGO_SETTINGS_MODULE="proj.settings")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.runner", "--out", str(out)],
        cwd=dst, env=env, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"the fixed copy does not run:\n{proc.stderr[-4000:]}", pytrace=False)
    return dst, json.loads(out.read_text())


@static
@skip_static
def test_unsafe_fixes_drop_unused_eager_loads(runtime, tmp_path):
    """ORM106's fix (removing the name) is unsafe: `--fix --unsafe-fixes` applies it. Each
    ORM106 positive must keep its output with a query or a join less; each negative must
    stay as it was."""
    dst, after = _fixed_copy(tmp_path, ["--fix", "--unsafe-fixes", "--exit-zero", "--select", "ORM106"])
    problems, dropped = [], 0
    for sc in SCENARIOS:
        if rule_of(sc) != "ORM106":
            continue
        rel = sc.module.replace(".", "/") + ".py"
        changed = function_source(os.path.join(HERE, rel), sc.name) != function_source(
            os.path.join(dst, rel), sc.name
        )
        if not is_positive(sc):
            if changed:
                problems.append(f"{sc.id} (negative): changed by the fix")
            continue
        if not changed:
            problems.append(f"{sc.id}: no fix applied")
            continue
        probs = dropped_load_problems(runtime[sc.id], after[sc.id])
        problems += [f"{sc.id}: {p}" for p in probs]
        dropped += not probs
    r = report.rule("ORM106")
    r["fixed"] = dropped
    r["fix_total"] = dropped + len({p.split(":")[0] for p in problems})
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _deprecations(root, out):
    """The ORM603 deprecation warnings the scenarios under `root` cause (harness.deprecations),
    written to the file `out` on the way."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", DJANGO_SETTINGS_MODULE="proj.settings")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.deprecations", "--out", out],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"harness.deprecations failed in {root}:\n{proc.stderr[-4000:]}", pytrace=False)
    with open(out) as fh:
        return [tuple(w) for w in json.load(fh)]


@static
@skip_static
def test_unsafe_fixes_name_the_relations(runtime, tmp_path):
    """ORM603's fix (naming what a bare `select_related()` or `list_select_related = True`
    follows) is unsafe: `--fix --unsafe-fixes` applies it. Every labelled line must change,
    every scenario then run exactly as before (output, error, the same SQL), and under
    Django 6.1 the deprecation warnings, before the fix exactly at the ORM603 labels, are
    gone."""
    import django

    dst, after = _fixed_copy(tmp_path, ["--fix", "--unsafe-fixes", "--exit-zero", "--select", "ORM603"])
    problems = []
    labelled = sorted((path, line) for path, line, code in LABELS if code == "ORM603")
    for path, line in labelled:
        if _source_line(path, line) == _line_of(dst, path, line):
            problems.append(f"{path}:{line}: not changed by the fix")
    for sc in SCENARIOS:
        for size in (SMALL, BIG):
            b, a = runtime[sc.id]["sizes"][size], after[sc.id]["sizes"][size]
            problems += [
                f"{sc.id} @{size}: {key} changed: {b[key]!r} -> {a[key]!r}"
                for key in ("result", "error", "sql")
                if b[key] != a[key]
            ]
    if django.VERSION >= (6, 1):
        before = _deprecations(HERE, tmp_path / "deprecations-before.json")
        if before != labelled:
            problems.append(f"the deprecation warnings are not at the ORM603 labels: {before} != {labelled}")
        remaining = _deprecations(dst, tmp_path / "deprecations-after.json")
        if remaining:
            problems.append(f"deprecation warnings after the fix: {remaining}")
    r = report.rule("ORM603")
    r["fix_total"] = len(labelled)
    r["fixed"] = len(labelled) - len({p.split(":")[0] for p in problems if p.startswith("scenarios/")})
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _line_of(root, rel, line):
    with open(os.path.join(str(root), rel)) as fh:
        return fh.read().splitlines()[line - 1].strip()
