"""The Django facts ORM501 and ORM204 rest on, checked under the real ORM (5 rows).

The Python side of a fact is the pattern ORM501 reports: `# noqa` keeps it out of the
labels test (the scenarios in scenarios/orm501.py carry the labels).
"""

from decimal import Decimal

import pytest
from django.db.models import Max, Min, Sum

from blog.models import Post
from harness.runner import run_one
from shop.models import OrderItem


def run(func):
    record = run_one(func, 5)
    assert record["error"] is None, record.get("message")
    return record


def test_sum_of_no_rows_is_none_where_python_gives_zero():
    def both():
        empty = OrderItem.objects.filter(quantity__lt=0)
        return [empty.aggregate(Sum("quantity"))["quantity__sum"], sum(i.quantity for i in empty)]

    assert run(both)["result"] == [None, 0]


def test_max_of_no_rows_is_none_where_python_raises():
    def aggregated():
        return OrderItem.objects.filter(quantity__lt=0).aggregate(Max("quantity"), Min("quantity"))

    assert run(aggregated)["result"] == {"quantity__max": None, "quantity__min": None}

    def in_python():
        return max(i.quantity for i in OrderItem.objects.filter(quantity__lt=0))  # noqa: ORM501

    assert run_one(in_python, 5)["error"] == "ValueError"


def test_decimal_sum_is_decimal_of_the_same_value_but_not_the_same_places():
    def both():
        items = OrderItem.objects.all()
        in_db = items.aggregate(Sum("unit_price"))["unit_price__sum"]
        in_python = sum(i.unit_price for i in items)
        return [repr(in_db), repr(in_python), in_db == in_python]

    # At 10 rows the total ends in a zero: SQLite's SUM (cast to NUMERIC) drops it,
    # Python's sum of two-place decimals keeps it. Equal values, different text.
    record = run_one(both, 10)
    assert record["result"] == ["Decimal('97.5')", "Decimal('97.50')", True]
    # Python's sum of decimals starting from int 0 stays Decimal; a zero total keeps its
    # places, which `or 0` turns into the int 0. Both make the decimal fix unsafe.
    assert repr(sum([Decimal("0.00")])) == "Decimal('0.00')"
    assert (Decimal("0.00") or 0) == 0 and type(Decimal("0.00") or 0) is int


def test_nullable_column_python_raises_sql_skips():
    def in_python():
        return sum(i.discount for i in OrderItem.objects.all())  # noqa: ORM501

    assert run_one(in_python, 5)["error"] == "TypeError"

    def in_db():
        return OrderItem.objects.aggregate(Sum("discount"))["discount__sum"] is not None

    assert run(in_db)["result"] is True


@pytest.mark.parametrize(
    "test, queries",
    [
        ("exists", 2),
        ("count", 2),
        ("truth", 1),
        ("len", 1),
    ],
)
def test_exists_and_count_leave_the_cache_empty(test, queries):
    def measured_then_iterated():
        posts = Post.objects.order_by("id")
        measure = {
            "exists": lambda: posts.exists(),
            "count": lambda: posts.count() > 0,
            "truth": lambda: bool(posts),
            "len": lambda: len(posts) > 0,
        }[test]
        return [p.id for p in posts] if measure() else []

    record = run(measured_then_iterated)
    assert record["queries"] == queries, record["sql"]


def test_count_after_rows_fetched_is_free():
    def rows_then_count():
        posts = Post.objects.order_by("id")
        ids = [p.id for p in posts]
        return posts.count() == len(ids), posts.exists()

    record = run(rows_then_count)
    assert record["queries"] == 1 and record["result"] == [True, True]
