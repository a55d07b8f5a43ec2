"""ORM601 select-related-on-many: select_related() given a many-valued relation.

The positives read no many-valued relation in their loops, so that no other rule
(ORM102 on an un-prefetched manager) has a claim on them.
"""

from accounts.models import User
from blog.models import Post
from harness.registry import scenario
from shop.models import Order

# --- positives -------------------------------------------------------------


@scenario(kind="raises", error="FieldError", queries=0, fixed_queries=2)
def select_related_m2m_tags():
    posts = Post.objects.select_related("tags").order_by("id")  # expect: ORM601
    return [p.title for p in posts]


@scenario(kind="raises", error="FieldError", queries=0, fixed_queries=2)
def select_related_reverse_fk():
    posts = Post.objects.select_related("comments").order_by("id")  # expect: ORM601
    return [(p.id, p.title) for p in posts]


@scenario(kind="raises", error="FieldError", queries=0, fixed_queries=2)
def select_related_m2m_through():
    orders = Order.objects.select_related("products").order_by("id")  # expect: ORM601
    return [o.number for o in orders]


@scenario(kind="raises", error="FieldError", queries=0, fixed_queries=2)
def select_related_abstract_reverse_fk():
    users = User.objects.select_related("product_owned").order_by("id")  # expect: ORM601
    return [u.username for u in users]


@scenario(kind="raises", error="FieldError", queries=0, fixed_queries=2)
def select_related_mixed_names():
    posts = Post.objects.select_related(
        "author",
        "tags",  # expect: ORM601
    ).order_by("id")
    return [(p.title, p.author.username) for p in posts]


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def select_related_forward_fk():
    return [p.author.username for p in Post.objects.select_related("author").order_by("id")]


@scenario(kind="constant", queries=1)
def select_related_reverse_one_to_one_with_related_name():
    return [p.stats.views for p in Post.objects.select_related("stats").order_by("id")]


@scenario(kind="constant", queries=1)
def select_related_reverse_one_to_one_default_name():
    return [u.profile.bio for u in User.objects.select_related("profile").order_by("id")]


@scenario(kind="constant", queries=2)
def prefetch_related_m2m():
    return [len(p.tags.all()) for p in Post.objects.prefetch_related("tags").order_by("id")]


@scenario(kind="constant", queries=1)
def select_related_self_fk_chain():
    posts = Post.objects.select_related("category__parent").order_by("id")
    return [p.category.parent.name if p.category.parent else "-" for p in posts]


@scenario(kind="constant", queries=1)
def select_related_nullable_fk_through_setting_user():
    return [p.editor.username if p.editor else "-" for p in Post.objects.select_related("editor").order_by("id")]
