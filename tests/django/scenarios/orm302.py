"""ORM302 only-then-values: only() is discarded by a later values()/values_list()."""

from blog.models import Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def only_then_values():
    rows = Post.objects.only("title").values("title").order_by("id")  # expect: ORM302
    return [r["title"] for r in rows]


@scenario(kind="constant", queries=1)
def only_then_values_list_flat():
    return list(Post.objects.only("title", "rank").values_list("title", flat=True).order_by("id"))  # expect: ORM302


@scenario(kind="constant", queries=1)
def only_then_values_other_fields():
    # values() discards only(): "body" is fetched anyway, in the same single query.
    rows = Post.objects.filter(is_published=True).only("title").values("title", "body").order_by("id")  # expect: ORM302
    return [f"{r['title']}|{r['body']}" for r in rows]


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def values_alone():
    return [r["title"] for r in Post.objects.values("title").order_by("id")]


@scenario(kind="constant", queries=1)
def only_alone_objects_used():
    return [p.title for p in Post.objects.only("title").order_by("id")]


@scenario(kind="constant", queries=2)
def only_and_values_on_different_querysets():
    objs = Post.objects.only("title").order_by("id")
    rows = Post.objects.values("title").order_by("id")
    return [p.title for p in objs] + [r["title"] for r in rows]


@scenario(kind="constant", queries=1)
def only_then_filter_objects():
    posts = Post.objects.only("title", "is_published").filter(is_published=True).order_by("id")
    return [p.title for p in posts]


@scenario(kind="raises", error="TypeError", queries=0)
def values_then_only_raises():
    # The other order is not redundant: Django refuses it (not an ORM302 case).
    return list(Post.objects.values("title").only("title"))
