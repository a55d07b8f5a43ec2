"""The summary table printed at the end of the pytest run."""

from harness.labels import RULES

# Filled by the tests: rule -> counters; plus free-form notes.
rules = {}
notes = []
static_state = {"findings": "not run", "fixes": "not run", "unsafe": "not run"}


def skipped(reason):
    for key in static_state:
        if static_state[key] == "not run":
            static_state[key] = f"skipped ({reason})"


def rule(code):
    return rules.setdefault(
        code,
        {
            "pos": 0, "neg": 0, "labels": 0, "runtime_ok": 0, "runtime_total": 0,
            "matched": None, "fixed": None, "fix_total": 0,
            "q_before": 0, "q_fixed_before": 0, "q_after": None,
        },
    )


def render():
    if not rules:
        return []
    out = ["", "ormhint real-Django verification (tests/django)"]
    out.append("pos/neg: positive/negative scenarios; labels: `# expect:` lines; runtime: scenarios")
    out.append("behaving as declared; found: labels ormhint reported; fixed: positives whose fix was")
    out.append("verified; q@10: queries of all positives at 10 rows; fix q@10: before -> after, verified fixes")
    head = f"{'rule':7} {'pos':>3} {'neg':>3} {'labels':>6} {'runtime':>8} {'found':>7} {'fixed':>7} {'q@10':>5} {'fix q@10':>12}"
    out.append(head)
    out.append("-" * len(head))
    for code in RULES:
        r = rule(code)
        found = "-" if r["matched"] is None else f"{r['matched']}/{r['labels']}"
        fixed = "-" if r["fixed"] is None else f"{r['fixed']}/{r['fix_total']}"
        fixq = "-" if r["q_after"] is None else f"{r['q_fixed_before']} -> {r['q_after']}"
        out.append(
            f"{code:7} {r['pos']:>3} {r['neg']:>3} {r['labels']:>6} "
            f"{r['runtime_ok']:>3}/{r['runtime_total']:<4} {found:>7} {fixed:>7} "
            f"{r['q_before']:>5} {fixq:>12}"
        )
    tot = lambda k: sum(rule(c)[k] or 0 for c in RULES)  # noqa: E731
    out.append("-" * len(head))
    out.append(
        f"{'total':7} {tot('pos'):>3} {tot('neg'):>3} {tot('labels'):>6} "
        f"{tot('runtime_ok'):>3}/{tot('runtime_total'):<4}"
    )
    out.append(f"static findings: {static_state['findings']}")
    out.append(f"static fixes:    {static_state['fixes']}")
    out.append(f"unsafe fixes:    {static_state['unsafe']}")
    out.extend(notes)
    return out
