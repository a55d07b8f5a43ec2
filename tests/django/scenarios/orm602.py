"""ORM602 unknown-lookup: a name the model does not have in a lookup string.

The positives' loops read only plain fields, so that a misspelt select_related /
prefetch_related / only() name gives no other rule (ORM101/102/104) a claim on them.
"""

from django.db.models import Count

from accounts.models import User
from blog.models import Comment, Post, Tag
from harness.registry import scenario
from shop.models import Bargain, Order, Product

# --- positives -------------------------------------------------------------


@scenario(kind="raises", error="FieldError", queries=0)
def select_related_typo():
    return [p.title for p in Post.objects.select_related("auther").order_by("id")]  # expect: ORM602


@scenario(kind="raises", error="AttributeError", queries=1)
def prefetch_related_typo_raises_after_main_query():
    return [p.title for p in Post.objects.prefetch_related("tag").order_by("id")]  # expect: ORM602


@scenario(kind="raises", error="FieldDoesNotExist", queries=0)
def only_typo():
    return [p.pk for p in Post.objects.only("titel").order_by("id")]  # expect: ORM602


@scenario(kind="raises", error="FieldDoesNotExist", queries=0)
def defer_typo():
    return [p.title for p in Post.objects.defer("bdy").order_by("id")]  # expect: ORM602


@scenario(kind="raises", error="FieldError", queries=0)
def filter_typo():
    return [p.pk for p in Post.objects.filter(titel="post01")]  # expect: ORM602


@scenario(kind="raises", error="FieldError", queries=0)
def order_by_typo_on_own_line():
    posts = Post.objects.order_by(
        "-rnak",  # expect: ORM602
        "id",
    )
    return [p.title for p in posts]


@scenario(kind="raises", error="FieldError", queries=0)
def values_typo_in_related_path():
    return list(Post.objects.values("title", "author__usernme").order_by("id"))  # expect: ORM602


@scenario(kind="raises", error="FieldError", queries=0)
def filter_with_accessor_name_instead_of_query_name():
    return [o.number for o in Order.objects.filter(orderitem_set__quantity=1)]  # expect: ORM602


@scenario(kind="raises", error="AttributeError", queries=1)
def prefetch_with_query_name_instead_of_accessor():
    return [o.number for o in Order.objects.prefetch_related("orderitem").order_by("id")]  # expect: ORM602


@scenario(kind="raises", error="FieldError", queries=0)
def filter_through_plus_related_name():
    # related_name="+" on Comment.author removes the reverse lookup on User.
    return [u.username for u in User.objects.filter(comment__body="x")]  # expect: ORM602


@scenario(kind="raises", error="FieldError", queries=0)
def filter_model_name_when_related_name_set():
    # Post.author has related_name="posts": the reverse lookup is "posts", not "post".
    return [u.username for u in User.objects.filter(post__title="post01")]  # expect: ORM602


@scenario(kind="raises", error="AttributeError", queries=1)
def prefetch_abstract_related_name_typo():
    return [u.username for u in User.objects.prefetch_related("products_owned").order_by("id")]  # expect: ORM602


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def filter_by_reverse_query_name():
    return sorted(o.number for o in Order.objects.filter(orderitem__quantity__gte=2).distinct())


@scenario(kind="constant", queries=2)
def prefetch_by_reverse_accessor():
    return [len(o.orderitem_set.all()) for o in Order.objects.prefetch_related("orderitem_set").order_by("id")]


@scenario(kind="constant", queries=1)
def reverse_m2m_default_query_name():
    return sorted(t.name for t in Tag.objects.filter(post__is_published=True).distinct())


@scenario(kind="constant", queries=1)
def reverse_fk_query_name_from_related_name():
    return sorted(u.username for u in User.objects.filter(posts__rank__gte=3).distinct())


@scenario(kind="constant", queries=3)
def abstract_class_related_name_substituted():
    users = User.objects.prefetch_related("product_owned", "supplier_owned").order_by("id")
    return [(len(u.product_owned.all()), len(u.supplier_owned.all())) for u in users]


@scenario(kind="constant", queries=1)
def abstract_class_related_name_is_also_the_query_name():
    # related_query_name defaults to related_name ("product_owned"), not "product".
    users = User.objects.filter(product_owned__price__gte=30).distinct().order_by("id")
    return [u.username for u in users]


@scenario(kind="constant", queries=1)
def lookups_with_transforms_and_pk():
    posts = Post.objects.filter(title__icontains="post", pk__in=[1, 2, 3], rank__gte=0).order_by("-rank", "title")
    return [p.title for p in posts]


@scenario(kind="constant", queries=1)
def values_across_relations():
    rows = Post.objects.values("title", "author__username", "category__name").order_by("id")
    return [tuple(r.values()) for r in rows]


@scenario(kind="constant", queries=1)
def proxy_model_lookups():
    return [b.name for b in Bargain.objects.filter(supplier__city="city0").order_by("id")]


@scenario(kind="constant", queries=1)
def cross_app_fk_lookup():
    return [p.name for p in Product.objects.filter(category__name__startswith="cat").order_by("id")]


@scenario(kind="constant", queries=2)
def generic_relation_lookup():
    return sorted(p.title for p in Post.objects.filter(reactions__kind="like"))


@scenario(kind="constant", queries=1)
def annotation_name_in_order_by():
    posts = Post.objects.annotate(n_comments=Count("comments")).order_by("-n_comments", "id")
    return [(p.title, p.n_comments) for p in posts]


@scenario(kind="constant", queries=1)
def extra_select_name_in_values_and_order_by():
    rows = Post.objects.extra(select={"title_length": "length(title)"}).values("title", "title_length")
    return list(rows.order_by("-title_length", "title"))


@scenario(kind="constant", queries=1)
def forward_fk_with_plus_related_name():
    return [c.body for c in Comment.objects.filter(author__username="user01").order_by("id")]


@scenario(kind="constant", queries=1)
def reverse_one_to_one_lookups():
    users = User.objects.filter(profile__bio__startswith="bio").select_related("profile").order_by("id")
    return [u.profile.website for u in users]


@scenario(kind="constant", queries=1)
def only_and_defer_valid_names():
    posts = Post.objects.only("title", "author").defer("author").order_by("id")
    return [p.title for p in posts]
