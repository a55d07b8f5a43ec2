"""ORM101 under Django 6.1's fetch modes (run under 6.1 and later only): FETCH_PEERS loads
a foreign key for all the rows at once, FETCH_RAISE makes a per-row load raise."""

from django.db import models

from blog.models import Comment, Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="raises", error="FieldFetchBlocked", queries=1)
def authors_blocked_by_fetch_raise():
    posts = Post.objects.fetch_mode(models.FETCH_RAISE).order_by("id")
    return [p.author.username for p in posts]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def authors_fetched_one_by_one():
    posts = Post.objects.fetch_mode(models.FETCH_PEERS).fetch_mode(models.FETCH_ONE).order_by("id")
    return [p.author.username for p in posts]  # expect: ORM101


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def authors_fetched_with_their_peers():
    posts = Post.objects.fetch_mode(models.FETCH_PEERS).order_by("id")
    return [p.author.username for p in posts]


@scenario(kind="constant", queries=3)
def a_chain_fetched_with_peers():
    comments = Comment.objects.fetch_mode(models.FETCH_PEERS)
    return [c.post.author.username for c in comments]


@scenario(kind="constant", queries=1)
def blocked_but_selected():
    posts = Post.objects.select_related("author").fetch_mode(models.FETCH_RAISE).order_by("id")
    return [p.author.username for p in posts]
