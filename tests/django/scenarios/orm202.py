"""ORM202 len-of-queryset: len(qs) fetches every row only to count them."""

from accounts.models import User
from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="count_query", sql="rows", queries=1)
def published_total():
    return len(Post.objects.filter(is_published=True))  # expect: ORM202


@scenario(kind="count_query", sql="rows", queries=1)
def comment_total_in_list():
    n = len(Comment.objects.all())  # expect: ORM202
    return [n]


@scenario(kind="count_query", sql="rows", queries=2)
def user_summary_dict():
    user = User.objects.get(pk=2)
    return {
        "name": user.username,
        "posts": len(user.posts.all()),  # expect: ORM202
    }


@scenario(kind="count_query", sql="rows", queries=1)
def queryset_variable_counted():
    drafts = Post.objects.filter(is_published=False).order_by("id")
    total = len(drafts)  # expect: ORM202
    return f"{total} drafts"


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def len_then_iterate_same_queryset():
    drafts = Post.objects.filter(is_published=False).order_by("id")
    total = len(drafts)
    return [total] + [p.title for p in drafts]


@scenario(kind="constant", queries=1)
def len_of_values_list_materialised():
    ids = list(Post.objects.values_list("id", flat=True))
    return [len(ids), sum(ids)]


@scenario(kind="constant", queries=2)
def len_of_prefetched_manager():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [len(p.comments.all()) for p in posts]


@scenario(kind="constant", queries=1)
def count_already():
    return Post.objects.filter(is_published=True).count()


@scenario(kind="constant", queries=1)
def len_of_list_used_afterwards():
    rows = list(Comment.objects.filter(score__gte=3).order_by("id"))
    return {"n": len(rows), "bodies": [c.body for c in rows]}


@scenario(kind="constant", queries=0)
def len_of_string_field_names():
    names = ["title", "body"]
    return len(names)
