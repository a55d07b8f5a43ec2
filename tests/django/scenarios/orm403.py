"""ORM403 delete-in-loop: one DELETE per row of a queryset.

Each scenario first inserts one row per post with one `bulk_create()` (two queries),
then deletes, and returns what is left (and `CALLS`): the fixed code must leave the
same database state and run the same receivers.
"""

from blog.models import Post
from harness.registry import scenario
from ledger.models import CALLS, Audited, Entry, Watched


def one_per_post(model):
    model.objects.bulk_create([model(name=post.title) for post in Post.objects.all()])


def names(model):
    return sorted(model.objects.values_list("name", flat=True))


# --- positives -------------------------------------------------------------


@scenario(kind="writes_per_row", fixed_queries=4)
def delete_entries():
    one_per_post(Entry)
    for entry in Entry.objects.filter(status="open"):
        entry.delete()  # expect: ORM403
    return names(Entry)


@scenario(kind="writes_per_row")
def delete_watched():
    # QuerySet.delete() sends post_delete for every row as Model.delete() does: the fix
    # is safe, and the receivers see the same rows (sorted: the order may differ).
    one_per_post(Watched)
    CALLS.clear()
    watched = Watched.objects.all()
    for row in watched:
        row.delete()  # expect: ORM403
    return names(Watched), sorted(CALLS)


@scenario(kind="writes_per_row")
def delete_audited():
    # Audited.delete() runs per row; QuerySet.delete() would skip it: the fix is unsafe.
    one_per_post(Audited)
    CALLS.clear()
    for row in Audited.objects.all():
        row.delete()  # expect: ORM403
    return names(Audited), sorted(CALLS)


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=4)
def deleted_at_once():
    one_per_post(Entry)
    Entry.objects.filter(status="open").delete()
    return names(Entry)


@scenario(kind="constant", queries=5)
def first_entry_only():
    one_per_post(Entry)
    for entry in Entry.objects.order_by("pk"):
        entry.delete()
        break
    return names(Entry)


@scenario(kind="constant")
def queryset_delete_calls_no_model_delete_and_sends_signals():
    # The Django facts behind the fixes above, under the real ORM.
    one_per_post(Audited)
    one_per_post(Watched)
    CALLS.clear()
    Audited.objects.all().delete()
    Watched.objects.all().delete()
    assert not any(call.startswith("delete") for call in CALLS), CALLS
    expected = sorted(f"post_delete {post.title}" for post in Post.objects.all())
    assert sorted(CALLS) == expected, CALLS
    return names(Audited), names(Watched)


@scenario(kind="constant", queries=5)
def one_fetched_row():
    one_per_post(Entry)
    Entry.objects.order_by("pk").first().delete()
    return names(Entry)
