"""ORM106 unused-eager-load: a select_related/prefetch_related name nothing reads."""

from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def titles_with_the_author_joined():
    posts = Post.objects.select_related("author").order_by("id")  # expect: ORM106
    return [p.title for p in posts]


@scenario(kind="constant", queries=2)
def titles_with_the_tags_prefetched():
    return [p.title for p in Post.objects.prefetch_related("tags").order_by("id")]  # expect: ORM106


@scenario(kind="constant", queries=1)
def comments_by_author_id():
    rows = []
    for comment in Comment.objects.select_related("post", "author"):  # expect: ORM106
        rows.append((comment.post.title, comment.author_id))
    return rows


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def author_names_read():
    return [p.author.username for p in Post.objects.select_related("author").order_by("id")]


@scenario(kind="constant", queries=2)
def tag_names_read():
    return [sorted(t.name for t in p.tags.all()) for p in Post.objects.prefetch_related("tags").order_by("id")]


@scenario(kind="constant", queries=1)
def author_id_through_the_object():
    return [p.author.id for p in Post.objects.select_related("author").order_by("id")]


@scenario(kind="constant", queries=1)
def rows_returned_to_the_caller():
    posts = Post.objects.select_related("author").order_by("id")
    titles = [p.title for p in posts]
    return titles, [p.author.username for p in posts]


def _author_names(rows):
    return [row.author.username for row in rows]


@scenario(kind="constant", queries=1)
def rows_given_to_a_helper_that_reads_the_author():
    posts = Post.objects.select_related("author").order_by("id")
    return _author_names(posts)


@scenario(kind="constant", queries=2)
def tag_names_through_a_model_method():
    return [p.tag_names() for p in Post.objects.prefetch_related("tags").order_by("id")]
