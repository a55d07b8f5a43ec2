"""ORM204 count-then-iterate: a queryset tested or counted, then iterated: two queries."""

from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="constant", queries=2, fixed_queries=1)
def count_then_rows_used():
    # count() never fills the result cache: the loop fetches the rows with a second
    # query (moved from orm201.py: exists() in its place would still run two).
    posts = Post.objects.filter(is_published=True).order_by("id")
    if posts.count() > 0:  # expect: ORM204
        return [p.title for p in posts]
    return []


@scenario(kind="constant", queries=2, fixed_queries=1)
def exists_then_loop():
    posts = Post.objects.order_by("id")
    titles = []
    if posts.exists():  # expect: ORM204
        for post in posts:
            titles.append(post.title)
    return titles


@scenario(kind="constant", queries=1, fixed_queries=1)
def exists_on_no_rows_then_loop():
    # No rows: exists() is the only query; the loop's fetch is skipped. After the fix
    # the truth test is the one query: same count, same (empty) output.
    posts = Post.objects.filter(pk__lt=0)
    if posts.exists():  # expect: ORM204
        return [p.title for p in posts]
    return []


@scenario(kind="constant", queries=2, fixed_queries=1)
def not_exists_guard_then_list():
    comments = Comment.objects.filter(score__gte=1).order_by("id")
    if not comments.exists():  # expect: ORM204
        return []
    return [c.body for c in comments]


@scenario(kind="constant", queries=2, fixed_queries=1)
def counted_then_listed():
    posts = Post.objects.order_by("id")
    total = posts.count()  # expect: ORM204
    titles = [p.title for p in posts]
    return {"total": total, "titles": titles}


@scenario(kind="constant", queries=2, fixed_queries=1)
def count_eq_zero_else_sorted():
    posts = Post.objects.filter(rank__gte=0)
    if posts.count() == 0:  # expect: ORM204
        return "none"
    else:
        return [p.title for p in sorted(posts, key=lambda p: p.id)]


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def rows_fetched_before_count():
    # The comprehension fills the cache; count() answers from it without a query.
    posts = Post.objects.order_by("id")
    titles = [p.title for p in posts]
    return {"total": posts.count(), "titles": titles}


@scenario(kind="constant", queries=1)
def truth_then_rows_used():
    posts = Post.objects.order_by("id")
    if posts:
        return [p.title for p in posts]
    return []


@scenario(kind="constant", queries=1)
def exists_returns_before_loop():
    # Rows exist: the function returns after exists(); `if posts:` would fetch them all.
    posts = Post.objects.order_by("id")
    if posts.exists():
        return "some"
    return [p.title for p in posts]


@scenario(kind="constant", queries=1)
def count_as_limit_before_loop():
    # A limit: the rows are fetched only below it, so the count is no wasted query
    # to merge with the fetch.
    posts = Post.objects.order_by("id")
    if posts.count() > 3:
        return "too many"
    return [p.title for p in posts]


@scenario(kind="constant", queries=2)
def count_then_slice():
    posts = Post.objects.order_by("id")
    total = posts.count()
    return {"total": total, "first": [p.title for p in posts[:2]]}


@scenario(kind="constant", queries=2)
def exists_then_new_chain():
    posts = Post.objects.order_by("id")
    if posts.exists():
        return [p.title for p in posts.filter(is_published=True)]
    return []


@scenario(kind="constant", queries=1)
def len_then_rows_used():
    posts = Post.objects.order_by("id")
    total = len(posts)
    return {"total": total, "titles": [p.title for p in posts]}


@scenario(kind="constant", queries=2)
def counted_then_guard_then_loop():
    posts = Post.objects.order_by("id")
    total = posts.count()
    if total > 100:
        raise ValueError("too many")
    return {"total": total, "titles": [p.title for p in posts]}
