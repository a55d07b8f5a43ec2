"""ORM201 count-for-existence: count()/len() compared with zero when only existence matters."""

from accounts.models import User
from blog.models import Comment, Post
from harness.registry import scenario
from shop.models import Order

# --- positives -------------------------------------------------------------


@scenario(kind="count_query", sql="count", queries=1)
def has_posts_count_gt_zero():
    if Post.objects.filter(author_id=1).count() > 0:  # expect: ORM201
        return "has posts"
    return "no posts"


@scenario(kind="count_query", sql="count", queries=1)
def no_high_scores_count_eq_zero():
    return Comment.objects.filter(score__gte=4).count() == 0  # expect: ORM201


@scenario(kind="count_query", sql="rows", queries=1)
def has_published_len_gt_zero():
    published = Post.objects.filter(is_published=True)
    return len(published) > 0  # expect: ORM201


@scenario(kind="count_query", sql="rows", queries=1)
def if_len_queryset():
    drafts = Post.objects.filter(is_published=False)
    if len(drafts):  # expect: ORM201
        return ["drafts pending"]
    return []


@scenario(kind="count_query", sql="count", queries=2)
def service_has_orders_ge_one():
    user = User.objects.get(pk=1)
    has_orders = user.orders.count() >= 1  # expect: ORM201
    return {"user": user.username, "has_orders": has_orders}


@scenario(kind="count_query", sql="count", queries=1)
def flag_count_ne_zero():
    flags = {}
    flags["commented"] = Comment.objects.filter(post_id=2).count() != 0  # expect: ORM201
    return flags


@scenario(kind="count_query", sql="count", queries=2)
def count_then_slice_used():
    # count() never fills the result cache: exists() in its place is the cheaper query,
    # and the slice runs its own query either way. (Iterating `posts` itself after the
    # test is ORM204's: see scenarios/orm204.py.)
    posts = Post.objects.filter(is_published=True).order_by("id")
    if posts.count() > 0:  # expect: ORM201
        return [p.title for p in posts[:3]]
    return []


@scenario(kind="count_query", sql="rows", queries=1)
def if_queryset_truthy():
    drafts = Post.objects.filter(is_published=False)
    if drafts:  # expect: ORM201
        return "drafts pending"
    return "none"


@scenario(kind="count_query", sql="rows", queries=1)
def not_queryset():
    drafts = Post.objects.filter(is_published=False)
    return "none" if not drafts else "some"  # expect: ORM201


@scenario(kind="count_query", sql="rows", queries=1)
def bool_of_queryset():
    return bool(Comment.objects.filter(score__gte=4))  # expect: ORM201


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def has_posts_with_exists():
    if Post.objects.filter(author_id=1).exists():
        return "has posts"
    return "no posts"


@scenario(kind="constant", queries=1)
def count_compared_with_threshold():
    return Comment.objects.filter(score__gte=1).count() > 3


@scenario(kind="constant", queries=1)
def count_value_is_used():
    n = Post.objects.filter(is_published=True).count()
    return {"published": n, "any": n > 0}


@scenario(kind="constant", queries=1)
def len_of_list_not_queryset():
    rows = list(Post.objects.filter(is_published=True).order_by("id"))
    if len(rows) > 0:
        return [p.title for p in rows]
    return []


@scenario(kind="constant", queries=1)
def len_then_rows_used():
    # len() fills the result cache; the loop reuses it: one query in total.
    posts = Post.objects.filter(is_published=True).order_by("id")
    if len(posts) > 0:
        return [p.title for p in posts]
    return []


@scenario(kind="constant", queries=2)
def prefetched_manager_count_is_free():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [p.title for p in posts if p.comments.count() > 0]


@scenario(kind="constant", queries=2)
def prefetched_manager_exists_is_free():
    # exists() on a prefetched manager is answered from the prefetch, like count(): a
    # model method's `self.comments.count() > 0` may become exists() whatever its caller
    # prefetched.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [p.title for p in posts if p.comments.exists()]


@scenario(kind="constant", queries=2)
def prefetched_object_count_and_exists_are_free():
    post = Post.objects.prefetch_related("comments").get(pk=1)
    return [post.comments.count() > 0, post.comments.exists(), post.comments.count() == 0]


@scenario(kind="constant", queries=1)
def truth_then_rows_used():
    # The truth test fetches the rows the comprehension then reads: one query.
    posts = Post.objects.filter(is_published=True).order_by("id")
    if posts:
        return [p.title for p in posts]
    return []


@scenario(kind="constant", queries=0)
def manager_is_always_true():
    manager = Post.objects
    return "yes" if manager else "no"


@scenario(kind="constant", queries=0)
def len_of_plain_dict():
    totals = {"a": 1, "b": 2}
    return len(totals) > 0


@scenario(kind="constant", queries=1)
def order_count_reported():
    total = Order.objects.count()
    return f"{total} orders" if total != 0 else "no orders"
