"""ORM301 fetch-only-needed: whole rows fetched to read a few concrete fields."""

from pprint import pformat

from django.db.models import Prefetch

from accounts.models import User
from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def post_titles():
    return [p.title for p in Post.objects.order_by("id")]  # expect: ORM301


@scenario(kind="constant", queries=1)
def username_to_email_map():
    return {u.username: u.email for u in User.objects.order_by("id")}  # expect: ORM301


@scenario(kind="constant", queries=1)
def high_score_comment_bodies():
    bodies = []
    for comment in Comment.objects.filter(score__gte=3).order_by("id"):  # expect: ORM301
        bodies.append(comment.body)
    return bodies


@scenario(kind="constant", queries=1)
def post_labels_through_str():
    # Post.__str__ reads `title` alone: only("title") keeps str() as it was.
    return [str(p) for p in Post.objects.order_by("id")]  # expect: ORM301


@scenario(kind="constant", queries=1)
def post_keys():
    # The fix iterates `values_list("pk", flat=True)`: the same keys, one column.
    return [p.pk for p in Post.objects.order_by("id")]  # expect: ORM301


@scenario(kind="constant", queries=1)
def titles_and_count():
    # `count()` after the loop is answered from the rows fetched (a COUNT otherwise):
    # either way it reads none of their columns.
    posts = Post.objects.filter(is_published=True).order_by("id")
    titles = [p.title for p in posts]  # expect: ORM301
    return titles, posts.count()


@scenario(kind="constant", queries=1)
def titles_in_a_nested_function():
    def titles():
        return [p.title for p in Post.objects.order_by("id")]  # expect: ORM301

    return titles()


@scenario(kind="constant", queries=2)
def titles_of_one_users_posts():
    # A related manager's rows: the message names values_list(); no fix.
    user = User.objects.get(pk=1)
    return [p.title for p in user.posts.order_by("id")]  # expect: ORM301


@scenario(kind="constant", queries=1)
def titles_passed_to_pformat():
    # pformat() is not read: the only() fix is unsafe, not applied by --fix.
    return [(p.title, pformat(p)) for p in Post.objects.order_by("id")]  # expect: ORM301


@scenario(kind="constant", queries=2)
def single_object_fields():
    # One row fetched to read one field: only() before get() selects one column less.
    post = Post.objects.get(pk=1)  # expect: ORM301
    other = Post.objects.get(pk=2)  # expect: ORM301
    return [post.title, other.title]


@scenario(kind="constant", queries=2)
def titles_of_prefetched_posts():
    # Fixed to Prefetch("posts", queryset=Post.objects.only("title", "author")), the
    # import added: still two queries, the same output, fewer columns.
    users = User.objects.prefetch_related("posts").order_by("id")
    return [[p.title for p in u.posts.all()] for u in users]  # expect: ORM301


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def default_str_and_a_relation():
    # Comment has Django's __str__; the loop follows `post`, so the rows are not plain.
    return [f"{c}: {c.post.title}" for c in Comment.objects.select_related("post").order_by("id")]


@scenario(kind="constant", queries=1)
def already_only():
    return [p.title for p in Post.objects.only("title").order_by("id")]


@scenario(kind="constant", queries=1)
def already_values_list():
    return list(Post.objects.order_by("id").values_list("title", flat=True))


@scenario(kind="constant", queries=1)
def objects_returned_to_caller():
    posts = list(Post.objects.order_by("id"))
    return [(type(p).__name__, p.title) for p in posts[:2]]


@scenario(kind="constant", queries=1)
def default_str_of_rows():
    # Comment's __str__ is Django's, which reads the key alone; the keys would print
    # differently, so iterating values_list("pk") is not offered.
    return [str(c) for c in Comment.objects.order_by("id")]


@scenario(kind="constant", queries=1)
def single_object_many_fields():
    post = Post.objects.get(pk=1)
    return [post.title, post.body, post.rank]


@scenario(kind="constant", queries=2)
def single_object_and_a_relation():
    post = Post.objects.get(pk=1)
    return [post.title, post.author_name]


@scenario(kind="constant", queries=2)
def one_users_posts_passed_on():
    user = User.objects.get(pk=1)
    return [(p.title, pformat(p)) for p in user.posts.order_by("id")]


@scenario(kind="constant", queries=1)
def nested_loop_over_a_queryset_used_again():
    posts = Post.objects.order_by("id")

    def titles():
        return [p.title for p in posts]

    return titles(), [type(p).__name__ for p in posts]


@scenario(kind="constant", queries=2)
def prefetched_posts_of_one_user():
    user = User.objects.prefetch_related("posts").get(pk=1)
    return [p.title for p in user.posts.all()]


@scenario(kind="constant", queries=2)
def prefetch_only_keeping_the_key():
    # What ORM301 suggests for prefetched rows: the foreign key back kept, two queries.
    posts = Prefetch("posts", queryset=Post.objects.only("title", "author"))
    users = User.objects.prefetch_related(posts).order_by("id")
    return [[p.title for p in u.posts.all()] for u in users]


@scenario(kind="n_plus_one")
def prefetch_only_without_the_key():
    # Django reads `author_id` on each prefetched row to link it to its user: left out
    # of only(), it is loaded with one query per row.
    posts = Prefetch("posts", queryset=Post.objects.only("title"))
    users = User.objects.prefetch_related(posts).order_by("id")
    return [[p.title for p in u.posts.all()] for u in users]
