"""ORM105 prefetch-bypassed: a new query on a prefetched manager, per row."""

from django.db.models import Prefetch

from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_comments_filtered_per_post():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.filter(score__gte=2)] for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_comments_reordered():
    top = []
    for post in Post.objects.prefetch_related("comments").order_by("id"):
        best = post.comments.order_by("-score", "id")  # expect: ORM105
        top.append([c.body for c in best])
    return top


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_tags_first_without_ordering():
    # Tag has no Meta.ordering: first() adds order_by("pk") and queries.
    posts = Post.objects.prefetch_related("tags").order_by("id")
    return [p.tags.first().name for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_comments_last():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [p.comments.last().body for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_comments_excluded():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.exclude(score=0)] for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one")
def prefetched_comments_iterated_in_chunks():
    # iterator() reads from the database, never from a prefetch's cache.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.iterator()] for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one")
def prefetched_comments_values():
    rows = []
    for post in Post.objects.prefetch_related("comments").order_by("id"):
        rows.extend(r["body"] for r in post.comments.values("body"))  # expect: ORM105
    return rows


@scenario(kind="n_plus_one", fixed_queries=2)
def prefetched_revisions_first_without_ordering():
    posts = Post.objects.prefetch_related("revision_set").order_by("id")
    return [p.revision_set.first().note for p in posts]  # expect: ORM105


@scenario(kind="n_plus_one")
def prefetched_comments_only():
    # only() on the manager: a query per post, and `post_id` is deferred too, so
    # attaching each comment back to its post loads that column once per comment.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.only("body")] for p in posts]  # expect: ORM105


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def prefetched_comments_first_with_meta_ordering():
    # Comment has Meta.ordering = ["id"]: first() is served from the cache.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [p.comments.first().body for p in posts]


@scenario(kind="constant", queries=2)
def filtered_prefetch_to_attr():
    posts = Post.objects.prefetch_related(
        Prefetch("comments", queryset=Comment.objects.filter(score__gte=2), to_attr="good")
    ).order_by("id")
    return [[c.body for c in p.good] for p in posts]


@scenario(kind="constant", queries=2)
def filter_in_python_over_prefetched_all():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.all() if c.score >= 2] for p in posts]


@scenario(kind="constant", queries=2)
def prefetched_slice_of_all():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.all()[:1]] for p in posts]


@scenario(kind="constant", queries=2)
def prefetched_count_and_exists():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [(p.comments.count(), p.comments.exists()) for p in posts]


@scenario(kind="constant", queries=3)
def single_post_filtered_comments():
    post = Post.objects.prefetch_related("comments").get(pk=1)
    return [c.body for c in post.comments.filter(score__gte=1)]


@scenario(kind="constant", queries=2)
def filter_on_outer_prefetched_queryset():
    posts = Post.objects.prefetch_related("comments").filter(is_published=True).order_by("id")
    return [[c.body for c in p.comments.all()] for p in posts]


@scenario(kind="constant", queries=2)
def sorted_in_python_instead_of_order_by():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in sorted(p.comments.all(), key=lambda c: (-c.score, c.id))] for p in posts]


@scenario(kind="n_plus_one")
def filter_on_manager_without_any_prefetch():
    # A per-row query, but nothing was prefetched, so nothing is bypassed (ORM103's business).
    posts = Post.objects.order_by("id")
    return [[c.body for c in p.comments.filter(score__gte=2)] for p in posts]  # expect: ORM103

