"""ORM102 under Django 6.1's fetch modes (run under 6.1 and later only): they do not
govern related managers, so FETCH_PEERS leaves a manager read per row one query each."""

from django.db import models

from blog.models import Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one", fixed_queries=2)
def tags_of_peers():
    posts = Post.objects.fetch_mode(models.FETCH_PEERS).order_by("id")
    return [sorted(t.name for t in p.tags.all()) for p in posts]  # expect: ORM102


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def tags_of_peers_prefetched():
    posts = Post.objects.fetch_mode(models.FETCH_PEERS).prefetch_related("tags").order_by("id")
    return [sorted(t.name for t in p.tags.all()) for p in posts]
