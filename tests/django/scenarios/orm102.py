"""ORM102 missing-prefetch-related: a many-valued manager read on each row of a queryset."""

from django.contrib import admin
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string

from accounts.models import User
from blog.models import Category, Comment, Post, Tag
from harness.admin import changelist, inlines


from blog.serializers import (
    PostCommentsSerializer,
    PostTagIdsSerializer,
    PostTagNamesSerializer,
    PostTagsSerializer,
    PostWriteTagsSerializer,
)
from harness.registry import scenario
from shop.models import Order
from social.models import Reaction

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one", fixed_queries=2)
def post_tag_names_m2m():
    result = {}
    for post in Post.objects.order_by("id"):
        result[post.title] = sorted(t.name for t in post.tags.all())  # expect: ORM102
    return result


@scenario(kind="n_plus_one", fixed_queries=2)
def comment_counts_reverse_fk_related_name():
    return [(p.title, p.comments.count()) for p in Post.objects.order_by("id")]  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def revisions_reverse_fk_default_accessor():
    rows = []
    for post in Post.objects.filter(is_published=True).order_by("id"):
        for rev in post.revision_set.all():  # expect: ORM102
            rows.append(rev.note)
    return sorted(rows)


@scenario(kind="n_plus_one", fixed_queries=2)
def order_products_m2m_through():
    orders = Order.objects.order_by("id")
    return [(o.number, len(o.products.all())) for o in orders]  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def tags_in_use_reverse_m2m():
    return [t.name for t in Tag.objects.order_by("id") if t.post_set.exists()]  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def owned_products_abstract_class_related_name():
    data = {}
    for user in User.objects.order_by("id"):
        data[user.username] = sorted(p.name for p in user.product_owned.all())  # expect: ORM102
    return data


@scenario(kind="n_plus_one", fixed_queries=3)
def post_reactions_generic_relation():
    return [len(p.reactions.all()) for p in Post.objects.order_by("id")]  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def tag_names_via_model_method():
    # Post.tag_names() iterates self.tags.all(): one call away.
    return [post.tag_names() for post in Post.objects.order_by("id")]  # expect: ORM102


@scenario(kind="n_plus_one")
def category_posts_and_their_tags_nested():
    tree = []
    for category in Category.objects.all():
        for post in category.post_set.all():  # expect: ORM102
            tree.append((category.name, post.title, len(post.tags.all())))  # expect: ORM102
    return tree


@scenario(kind="n_plus_one", fixed_queries=2)
def serializer_comment_bodies():
    payload = []
    for post in Post.objects.order_by("id"):
        payload.append(
            {
                "id": post.id,
                "comments": [c.body for c in post.comments.all()],  # expect: ORM102
            }
        )
    return payload


@scenario(kind="n_plus_one", fixed_queries=2)
def post_tags_in_a_template():
    # The template loops over `post.tags.all` for each row it is given.
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_tags.html", {"posts": posts})  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def post_tags_in_a_jinja_template():
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_tags.jinja", {"posts": posts})  # expect: ORM102


# Admin changelists: each ModelAdmin on an AdminSite of its own, rendered for a superuser.


class TagNamesAdmin(admin.ModelAdmin):
    list_display = ("title", "tag_list")  # expect: ORM102

    @admin.display(description="Tags")
    def tag_list(self, obj):
        return ", ".join(sorted(t.name for t in obj.tags.all()))


orm102_tag_names = admin.AdminSite(name="orm102_tag_names")
orm102_tag_names.register(Post, TagNamesAdmin)


@scenario(kind="n_plus_one")
def admin_method_column_lists_tags():
    return changelist(TagNamesAdmin)


# Admin inlines: the change page of the first category, whose children grow with the rows.


class ChildProductsInline(admin.StackedInline):
    model = Category
    fk_name = "parent"
    fields = ("name", "product_names")
    readonly_fields = ("product_names",)  # expect: ORM102

    def product_names(self, obj):
        return ", ".join(p.name for p in obj.products.all())


class ChildProductsCategoryAdmin(admin.ModelAdmin):
    fields = ("name",)
    inlines = [ChildProductsInline]


orm102_child_products = admin.AdminSite(name="orm102_child_products")
orm102_child_products.register(Category, ChildProductsCategoryAdmin)


@scenario(kind="n_plus_one")
def admin_inline_method_reads_products():
    return inlines(ChildProductsCategoryAdmin, 1)


# DRF serializers, rendered through `.data`: the finding is on the queryset given.


@scenario(kind="n_plus_one", fixed_queries=2)
def drf_nested_tags_many():
    return PostTagsSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def drf_many_to_many_ids():
    # A many-to-many field by default: DRF lists the ids of `post.tags.all()`.
    return PostTagIdsSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def drf_reverse_fk_ids():
    return PostCommentsSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM102


@scenario(kind="n_plus_one", fixed_queries=2)
def drf_slug_related_many():
    return PostTagNamesSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM102


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def post_tag_names_prefetched():
    result = {}
    for post in Post.objects.prefetch_related("tags").order_by("id"):
        result[post.title] = sorted(t.name for t in post.tags.all())
    return result


@scenario(kind="constant", queries=2)
def comment_counts_prefetched_count():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [(p.title, p.comments.count()) for p in posts]


@scenario(kind="constant", queries=2)
def comment_counts_prefetched_len():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [len(p.comments.all()) for p in posts]


@scenario(kind="constant", queries=2)
def tags_in_use_prefetched_exists():
    return [t.name for t in Tag.objects.prefetch_related("post_set").order_by("id") if t.post_set.exists()]


@scenario(kind="constant", queries=2)
def recent_comments_to_attr():
    posts = Post.objects.prefetch_related(
        Prefetch("comments", queryset=Comment.objects.filter(score__gte=2), to_attr="recent")
    ).order_by("id")
    return [(type(p.recent).__name__, [c.body for c in p.recent]) for p in posts]


@scenario(kind="constant", queries=2)
def tags_via_as_manager_method():
    return [post.tag_names() for post in Post.objects.with_tags().order_by("id")]


@scenario(kind="constant", queries=2)
def related_rows_as_subqueries():
    # Each `post.tags.all()` is compiled into the one outer query as a subquery: no
    # row's tags are fetched, so a prefetch would save nothing.
    condition = Q(pk__in=[])
    for post in Post.objects.order_by("id"):
        condition |= Q(tags__in=post.tags.all())
    return sorted(set(Post.objects.filter(condition).values_list("title", flat=True)))


@scenario(kind="constant", queries=2)
def single_post_tags():
    post = Post.objects.get(pk=1)
    return sorted(t.name for t in post.tags.all())


@scenario(kind="constant", queries=2)
def prefetch_survives_outer_filter():
    posts = Post.objects.prefetch_related("tags").filter(is_published=True).order_by("id")
    return [len(p.tags.all()) for p in posts]


@scenario(kind="constant", queries=3)
def nested_prefetch_lookup():
    tree = []
    for category in Category.objects.prefetch_related("post_set__tags"):
        for post in category.post_set.all():
            tree.append((category.name, post.title, len(post.tags.all())))
    return tree


@scenario(kind="constant", queries=1)
def tag_names_from_values_list():
    rows = Post.objects.filter(tags__isnull=False).values_list("title", "tags__name")
    return sorted(f"{title}:{tag}" for title, tag in rows)


@scenario(kind="constant", queries=2)
def prefetched_slice():
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return [[c.body for c in p.comments.all()[:1]] for p in posts]


@scenario(kind="constant", queries=2)
def owned_products_prefetched():
    users = User.objects.prefetch_related("product_owned").order_by("id")
    return {u.username: sorted(p.name for p in u.product_owned.all()) for u in users}


@scenario(kind="constant", queries=3)
def reactions_prefetched_generic_relation():
    return [len(p.reactions.all()) for p in Post.objects.prefetch_related("reactions").order_by("id")]


@scenario(kind="constant", queries=1)
def loop_over_reactions_reads_plain_fields():
    return [(r.kind, r.object_id) for r in Reaction.objects.order_by("id")]


@scenario(kind="constant", queries=2)
def post_tags_in_a_template_prefetched():
    posts = Post.objects.prefetch_related("tags").order_by("id")
    return render_to_string("blog/post_tags.html", {"posts": posts})


@scenario(kind="constant", queries=2)
def post_tags_in_a_jinja_template_prefetched():
    posts = Post.objects.prefetch_related("tags").order_by("id")
    return render_to_string("blog/post_tags.jinja", {"posts": posts})


@scenario(kind="constant", queries=1)
def tag_counts_not_called_in_a_jinja_template():
    # `post.tags.count` without parentheses is the bound method: no query per row.
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_tag_counts.jinja", {"posts": posts})


@scenario(kind="constant", queries=1)
def post_tags_template_given_columns_only():
    # The same rows to a template that reads only their columns.
    return render_to_string("blog/post_titles.html", {"posts": Post.objects.order_by("id")})


class PrefetchingTagsAdmin(admin.ModelAdmin):
    list_display = ("title", "tag_list")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="Tags")
    def tag_list(self, obj):
        return ", ".join(sorted(t.name for t in obj.tags.all()))


orm102_prefetching_tags = admin.AdminSite(name="orm102_prefetching_tags")
orm102_prefetching_tags.register(Post, PrefetchingTagsAdmin)


@scenario(kind="constant")
def admin_get_queryset_prefetches_tags():
    return changelist(PrefetchingTagsAdmin)


class TagFilterAdmin(admin.ModelAdmin):
    list_display = ("title",)
    list_filter = ("tags",)


orm102_tag_filter = admin.AdminSite(name="orm102_tag_filter")
orm102_tag_filter.register(Post, TagFilterAdmin)


@scenario(kind="constant")
def admin_tags_only_filtered():
    return changelist(TagFilterAdmin)


class PrefetchedChildProductsInline(admin.StackedInline):
    model = Category
    fk_name = "parent"
    fields = ("name", "product_names")
    readonly_fields = ("product_names",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("products")

    def product_names(self, obj):
        return ", ".join(p.name for p in obj.products.all())


class PrefetchedChildProductsAdmin(admin.ModelAdmin):
    fields = ("name",)
    inlines = [PrefetchedChildProductsInline]


orm102_prefetched_child_products = admin.AdminSite(name="orm102_prefetched_child_products")
orm102_prefetched_child_products.register(Category, PrefetchedChildProductsAdmin)


@scenario(kind="constant")
def admin_inline_prefetches_the_products():
    return inlines(PrefetchedChildProductsAdmin, 1)


# DRF serializers whose related rows come from the prefetch, or are not read.


@scenario(kind="constant", queries=2)
def drf_tags_prefetched():
    posts = Post.objects.prefetch_related("tags").order_by("id")
    return PostTagsSerializer(posts, many=True).data


@scenario(kind="constant", queries=2)
def drf_one_post_tags():
    return PostTagsSerializer(Post.objects.order_by("id").first()).data


@scenario(kind="constant", queries=1)
def drf_write_only_tags():
    return PostWriteTagsSerializer(Post.objects.order_by("id"), many=True).data


@scenario(kind="constant", queries=2)
def drf_list_view_prefetched():
    from django.test import RequestFactory
    from rest_framework import generics

    class PostTagsList(generics.ListAPIView):
        authentication_classes = []
        queryset = Post.objects.prefetch_related("tags").order_by("id")
        serializer_class = PostTagsSerializer

    return PostTagsList.as_view()(RequestFactory().get("/")).data
