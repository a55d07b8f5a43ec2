"""ORM401 create-in-loop: one INSERT per iteration of a loop over data that grows.

Each scenario returns the rows it wrote (and what ran besides the SQL: `CALLS`), so
the fixed code must leave the same database state.
"""

from blog.models import Post
from harness.registry import scenario
from ledger.models import CALLS, Audited, Entry, Place, Restaurant, Watched


def names(model):
    return sorted(model.objects.values_list("name", flat=True))


def add_entries(titles):
    for title in titles:
        Entry.objects.create(name=title)  # expect: ORM401


# --- positives -------------------------------------------------------------


@scenario(kind="writes_per_row", fixed_queries=3)
def entry_per_post():
    for post in Post.objects.all():
        Entry.objects.create(name=post.title)  # expect: ORM401
    return names(Entry)


@scenario(kind="writes_per_row", fixed_queries=3)
def entry_saved_per_post():
    for post in Post.objects.all():
        Entry(name=post.title, status="new").save()  # expect: ORM401
    return sorted(Entry.objects.values_list("name", "status"))


@scenario(kind="writes_per_row")
def entries_of_a_parameter():
    add_entries(list(Post.objects.values_list("title", flat=True)))
    return names(Entry)


@scenario(kind="writes_per_row")
def audited_per_post():
    # Audited.save() runs per create(); bulk_create() would skip it: the fix is unsafe.
    CALLS.clear()
    for post in Post.objects.all():
        Audited.objects.create(name=post.title)  # expect: ORM401
    return names(Audited), sorted(CALLS)


@scenario(kind="writes_per_row")
def watched_per_post():
    # post_save has a receiver for Watched: the fix is unsafe.
    CALLS.clear()
    for post in Post.objects.all():
        Watched.objects.create(name=post.title)  # expect: ORM401
    return names(Watched), sorted(CALLS)


@scenario(kind="writes_per_row")
def restaurant_per_post():
    # Multi-table inheritance: bulk_create() refuses Restaurant, no fix.
    for post in Post.objects.all():
        Restaurant.objects.create(name=post.title)  # expect: ORM401
    return names(Place)


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=3)
def entries_of_a_literal():
    for name in ["first", "second"]:
        Entry.objects.create(name=name)
    return names(Entry)


@scenario(kind="constant", queries=4)
def entries_of_a_constant_range():
    for i in range(3):
        Entry.objects.create(name=f"entry {i}")
    return names(Entry)


@scenario(kind="constant", queries=3)
def first_post_only():
    for post in Post.objects.order_by("pk"):
        Entry.objects.create(name=post.title)
        break
    return names(Entry)


@scenario(kind="constant", queries=3)
def bulk_created():
    Entry.objects.bulk_create([Entry(name=post.title) for post in Post.objects.all()])
    return names(Entry)


@scenario(kind="constant", queries=6)
def bulk_create_calls_no_save_and_sends_no_post_save():
    # The Django facts behind the unsafe fixes above, under the real ORM.
    CALLS.clear()
    Audited.objects.bulk_create([Audited(name=post.title) for post in Post.objects.all()])
    Watched.objects.bulk_create([Watched(name=post.title) for post in Post.objects.all()])
    assert CALLS == [], CALLS
    return names(Audited), names(Watched)


@scenario(kind="raises", error="ValueError", queries=1)
def bulk_create_refuses_a_multi_table_child():
    Restaurant.objects.bulk_create([Restaurant(name=post.title) for post in Post.objects.all()])


@scenario(kind="constant")
def get_or_create_is_a_read_first():
    # Reads per iteration belong to ORM103; a loop over a literal does not grow anyway.
    for name in ("one",):
        Entry.objects.get_or_create(name=name)
    return names(Entry)
