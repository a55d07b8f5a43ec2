"""ORM402 save-in-loop: one UPDATE per row of a queryset after setting its fields.

Each scenario first inserts one row per post with one `bulk_create()` (two queries),
then updates them, and returns the rows (and `CALLS`): the fixed code must leave the
same database state.
"""

from blog.models import Post
from harness.registry import scenario
from ledger.models import CALLS, Audited, Entry, Watched


def one_per_post(model):
    model.objects.bulk_create([model(name=post.title) for post in Post.objects.all()])


def rows(model):
    return sorted(model.objects.values_list("name", "status"))


# --- positives -------------------------------------------------------------


@scenario(kind="writes_per_row", fixed_queries=4)
def close_entries():
    one_per_post(Entry)
    for entry in Entry.objects.filter(status="open"):
        entry.status = "closed"
        entry.save()  # expect: ORM402
    return rows(Entry)


@scenario(kind="writes_per_row", fixed_queries=4)
def close_named_entries():
    one_per_post(Entry)
    entries = Entry.objects.filter(status="open").order_by("name")
    for entry in entries:
        entry.status = "closed"
        entry.save(update_fields=["status"])  # expect: ORM402
    return rows(Entry)


@scenario(kind="writes_per_row")
def rename_entries():
    # The value depends on the row: bulk_update(), no fix.
    one_per_post(Entry)
    for entry in Entry.objects.all():
        entry.name = entry.name.upper()
        entry.save()  # expect: ORM402
    return rows(Entry)


@scenario(kind="writes_per_row")
def close_audited():
    # Audited.save() runs per row; update() would skip it: the fix is unsafe.
    one_per_post(Audited)
    CALLS.clear()
    for row in Audited.objects.all():
        row.status = "closed"
        row.save()  # expect: ORM402
    return rows(Audited), sorted(CALLS)


@scenario(kind="writes_per_row")
def close_watched():
    # post_save has a receiver for Watched: the fix is unsafe.
    one_per_post(Watched)
    CALLS.clear()
    for row in Watched.objects.all():
        row.status = "closed"
        row.save()  # expect: ORM402
    return rows(Watched), sorted(CALLS)


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=4)
def updated_at_once():
    one_per_post(Entry)
    Entry.objects.filter(status="open").update(status="closed")
    return rows(Entry)


@scenario(kind="constant", queries=5)
def first_entry_only():
    one_per_post(Entry)
    for entry in Entry.objects.order_by("pk"):
        entry.status = "closed"
        entry.save()
        break
    return rows(Entry)


@scenario(kind="writes_per_row")
def saved_without_a_change():
    # Nothing set: the save is for its own sake, nothing to batch.
    one_per_post(Entry)
    for entry in Entry.objects.all():
        entry.save()
    return rows(Entry)


@scenario(kind="constant", queries=10)
def update_and_bulk_update_call_no_save_and_send_no_signal():
    # The Django facts behind the unsafe fixes above, under the real ORM.
    one_per_post(Audited)
    one_per_post(Watched)
    CALLS.clear()
    Audited.objects.update(status="closed")
    Watched.objects.update(status="closed")
    watched = list(Watched.objects.all())
    for row in watched:
        row.status = "reopened"
    Watched.objects.bulk_update(watched, ["status"])
    assert CALLS == [], CALLS
    return rows(Audited), rows(Watched)


@scenario(kind="constant", queries=5)
def fetched_by_key():
    # One row fetched and saved: no loop.
    one_per_post(Entry)
    entry = Entry.objects.order_by("pk").first()
    entry.status = "closed"
    entry.save()
    return rows(Entry)
