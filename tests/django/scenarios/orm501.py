"""ORM501 aggregate-in-python: rows fetched only to be summed, compared or counted."""

from blog.models import Post
from harness.registry import scenario
from shop.models import Order, OrderItem

# --- positives -------------------------------------------------------------


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def quantity_total():
    return sum(i.quantity for i in OrderItem.objects.all())  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def quantity_total_of_no_rows():
    # Python's sum() of nothing is 0; Sum of no rows is None, hence `or 0`.
    return sum(i.quantity for i in OrderItem.objects.filter(quantity__lt=0))  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def large_items_counted():
    items = OrderItem.objects.all()
    return len([i for i in items if i.quantity > 1])  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def published_counted():
    return sum(1 for p in Post.objects.all() if p.is_published and p.rank >= 0)  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def largest_quantity_or_none():
    return max((i.quantity for i in OrderItem.objects.all()), default=None)  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1, fixed_queries=1)
def smallest_rank_of_no_rows():
    # Both give None over no rows: min()'s default and Min.
    return min((p.rank for p in Post.objects.filter(pk__lt=0)), default=None)  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1)
def largest_quantity():
    # Unsafe fix: max() of no rows raises ValueError where Max gives None.
    return max(i.quantity for i in OrderItem.objects.all())  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1)
def price_total():
    # Unsafe fix: a decimal total of zero would be Decimal("0.00") here, 0 after `or 0`.
    return sum(i.unit_price for i in OrderItem.objects.all())  # expect: ORM501


@scenario(kind="count_query", sql="rows", queries=1)
def discount_total():
    # Unsafe fix: a nullable float (Python raises on a NULL that Sum skips; the database
    # adds floats in its own order).
    discounted = OrderItem.objects.filter(discount__isnull=False)
    return sum(i.discount for i in discounted)  # expect: ORM501


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def rows_also_listed():
    items = OrderItem.objects.order_by("id")
    total = sum(i.quantity for i in items)
    return total, [i.id for i in items]


@scenario(kind="constant", queries=2)
def prefetched_lines_summed():
    # The prefetch serves the sum: an aggregate would be a query of its own.
    order = Order.objects.prefetch_related("orderitem_set").get(pk=1)
    return sum(i.quantity for i in order.orderitem_set.all())


@scenario(kind="constant", queries=1)
def product_of_columns():
    return sum(i.quantity * i.unit_price for i in OrderItem.objects.all())


@scenario(kind="constant", queries=1)
def not_equal_counted():
    # SQL's `!=` leaves NULL out, Python's keeps it.
    return len([i for i in OrderItem.objects.all() if i.discount != 0.1])




@scenario(kind="constant", queries=1)
def text_max():
    # Collations order text otherwise than Python.
    return max(p.title for p in Post.objects.all())


@scenario(kind="constant", queries=1)
def first_rows_summed():
    return sum(p.rank for p in Post.objects.order_by("id")[:3])


@scenario(kind="constant", queries=1)
def listed_then_summed():
    rows = list(Post.objects.order_by("id"))
    return sum(p.rank for p in rows), len(rows)


@scenario(kind="constant", queries=1)
def method_in_condition():
    return len([p for p in Post.objects.all() if p.title.startswith("post")])


@scenario(kind="constant", queries=1)
def streamed_rows_summed():
    # `.iterator()` cannot be aggregated: the rows are streamed on purpose.
    return sum(p.rank for p in Post.objects.order_by("id").iterator())


@scenario(kind="constant", queries=1)
def expression_summed():
    return sum(len(p.title) for p in Post.objects.all())
