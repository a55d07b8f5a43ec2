"""ORM104 under Django 6.1's fetch modes (run under 6.1 and later only): FETCH_PEERS loads
a deferred field for all the rows at once, FETCH_RAISE makes reading it raise."""

from django.db import models

from blog.models import Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="raises", error="FieldFetchBlocked", queries=1)
def bodies_blocked_by_fetch_raise():
    posts = Post.objects.only("title").fetch_mode(models.FETCH_RAISE).order_by("id")
    return [p.body for p in posts]  # expect: ORM104


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def bodies_fetched_with_their_peers():
    posts = Post.objects.only("title").fetch_mode(models.FETCH_PEERS).order_by("id")
    return [p.body for p in posts]


@scenario(kind="constant", queries=1)
def blocked_but_loaded():
    posts = Post.objects.only("title", "body").fetch_mode(models.FETCH_RAISE).order_by("id")
    return [p.body for p in posts]
