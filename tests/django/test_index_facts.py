"""The Django facts ORM701 rests on: which columns the database indexes.

For every field of the verification project that ormhint judges (`ormhint models`
prints `indexed` or `not indexed`), the tables Django created must agree: an index,
unique constraint or primary key holds the column, or none does. `ledger.Sku` declares
each kind of index option.
"""

import re

from django.apps import apps
from django.db import connection

from harness import ormhint
from harness.setup import HERE

FIELD = re.compile(r"^  (\w+): .*?, (indexed|not indexed)$")
MODEL = re.compile(r"^(\w+)\.(\w+) \(")


def judged():
    """(app label, model name, field name) -> True/False, as ormhint judges them."""
    run = ormhint.run(["models", HERE])
    assert run.returncode == 0, run.stderr
    out, model = {}, None
    for line in run.stdout.splitlines():
        if (m := MODEL.match(line)):
            model = (m.group(1), m.group(2))
        elif (m := FIELD.match(line)) and model:
            out[(*model, m.group(1))] = m.group(2) == "indexed"
    return out


def indexed_columns(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        column
        for c in constraints.values()
        if c["index"] or c["unique"] or c["primary_key"]
        for column in c["columns"]
    }


def test_ormhint_judges_indexes_as_the_database_has_them():
    verdicts = judged()
    checked = {}
    for (label, name, field_name), indexed in verdicts.items():
        try:
            model = apps.get_model(label, name)
        except LookupError:
            continue
        if model._meta.abstract or model._meta.proxy or not model._meta.managed:
            continue
        field = model._meta.get_field(field_name)
        # A multi-table child's inherited field is a column of its parent's table.
        actual = field.column in indexed_columns(field.model._meta.db_table)
        checked[(label, name, field_name)] = (indexed, actual)
    wrong = {k: v for k, v in checked.items() if v[0] != v[1]}
    assert wrong == {}
    sku = {f: v[0] for (label, name, f), v in checked.items() if (label, name) == ("ledger", "Sku")}
    assert sku == {
        "id": True,
        "plain": False,
        "number": False,
        "when": False,
        "flagged": True,
        "code": True,
        "slug": True,
        "parent": True,
        "loose": False,
        "first": True,
        "second": True,
        "pair_a": True,
        "pair_b": True,
        "guarded": True,
    }
    # Fields of every app are judged, not only the one declared for this test.
    assert len({(label, name) for (label, name, _) in checked}) > 10
