"""ORM301 fetch-only-needed: whole rows fetched to read a few concrete fields."""

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


@scenario(kind="constant", queries=2)
def single_object_fields():
    post = Post.objects.get(pk=1)
    other = Post.objects.get(pk=2)
    return [post.title, other.title]
