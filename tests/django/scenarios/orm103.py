"""ORM103 query-in-loop: a query run for each iteration of a loop over growing data."""

from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404

from accounts.models import User
from blog.models import Comment, Post, Tag
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one")
def author_fetched_by_id_per_post():
    names = []
    for author_id in Post.objects.order_by("id").values_list("author_id", flat=True):
        names.append(User.objects.get(pk=author_id).username)  # expect: ORM103
    return names


@scenario(kind="n_plus_one")
def comments_counted_per_post():
    return [
        (p.title, Comment.objects.filter(post=p).count())  # expect: ORM103
        for p in Post.objects.order_by("id")
    ]


@scenario(kind="n_plus_one")
def existence_per_id_from_a_list():
    ids = list(Post.objects.order_by("id").values_list("id", flat=True))
    return [i for i in ids if Comment.objects.filter(post_id=i, score__gte=3).exists()]  # expect: ORM103


@scenario(kind="n_plus_one")
def rows_fetched_per_post():
    out = []
    for post_id in Post.objects.order_by("id").values_list("id", flat=True):
        bodies = Comment.objects.filter(post_id=post_id).order_by("id").values_list("body", flat=True)
        for body in bodies:  # expect: ORM103
            out.append((post_id, body))
    return out


@scenario(kind="n_plus_one")
def manager_filtered_without_prefetch():
    posts = Post.objects.order_by("id")
    return [[c.body for c in p.comments.filter(score__gte=2)] for p in posts]  # expect: ORM103


@scenario(kind="n_plus_one")
def tag_first_without_ordering_or_prefetch():
    # Tag has no Meta.ordering: first() orders by pk and queries; a prefetch would not serve it.
    return [p.tags.first().name for p in Post.objects.order_by("id")]  # expect: ORM103


@scenario(kind="n_plus_one")
def get_or_create_per_title():
    titles = list(Post.objects.order_by("id").values_list("title", flat=True))
    return [Tag.objects.get_or_create(name=t)[0].name for t in titles]  # expect: ORM103


@scenario(kind="n_plus_one")
def same_query_each_time():
    titles = Post.objects.order_by("id").values_list("title", flat=True)
    return [(t, Tag.objects.get(pk=1).name) for t in titles]  # expect: ORM103


@scenario(kind="n_plus_one")
def object_or_404_per_id():
    ids = list(Post.objects.order_by("id").values_list("id", flat=True))
    return [get_object_or_404(Post, pk=i).title for i in ids]  # expect: ORM103


def latest_comment_body(post_id):
    comment = Comment.objects.filter(post_id=post_id).order_by("-id").first()
    return comment.body if comment else None


@scenario(kind="n_plus_one")
def through_a_helper():
    return [latest_comment_body(p.pk) for p in Post.objects.order_by("id")]  # expect: ORM103


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=3)
def over_a_literal():
    return [Tag.objects.get(pk=i).name for i in (1, 2, 3)]


@scenario(kind="constant", queries=3)
def over_a_constant_range():
    return [Post.objects.get(pk=i + 1).title for i in range(3)]


@scenario(kind="constant", queries=6)
def over_a_constant_slice():
    posts = Post.objects.order_by("id")[:5]
    return [(p.title, Comment.objects.filter(post=p).count()) for p in posts]


@scenario(kind="constant", queries=2)
def in_bulk_before_the_loop():
    ids = list(Post.objects.order_by("id").values_list("author_id", flat=True))
    users = User.objects.in_bulk(ids)
    return [users[i].username for i in ids]


@scenario(kind="constant", queries=2)
def queryset_built_before_the_loop_is_cached():
    tags = Tag.objects.order_by("id")
    # The first iteration fills the queryset's result cache; count() then reads it.
    return [(p.title, [t.name for t in tags], tags.count()) for p in Post.objects.order_by("id")]


@scenario(kind="constant", queries=1)
def annotated_instead():
    posts = Post.objects.annotate(n=Count("comments")).order_by("id")
    return [(p.title, p.n) for p in posts]


@scenario(kind="constant", queries=1)
def exists_annotation_instead():
    good = Comment.objects.filter(post=OuterRef("pk"), score__gte=3)
    return [p.id for p in Post.objects.annotate(good=Exists(good)).order_by("id") if p.good]


@scenario(kind="constant", queries=2)
def memo_of_earlier_results():
    seen = {}
    for post in Post.objects.order_by("id"):
        if 1 not in seen:
            seen[1] = Tag.objects.get(pk=1)
    return sorted(t.name for t in seen.values())


@scenario(kind="constant", queries=2)
def prefetched_count_is_served():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [(p.title, p.comments.count()) for p in posts]


@scenario(kind="constant", queries=1)
def querysets_built_not_run():
    return len([Post.objects.filter(pk=p.pk) for p in Post.objects.order_by("id")])


def title_upper(post):
    return post.title.upper()


@scenario(kind="constant", queries=1)
def helper_without_query():
    return [title_upper(p) for p in Post.objects.order_by("id")]
