"""ORM603 bare-select-related: `select_related()` with no arguments and
`ModelAdmin.list_select_related = True`, deprecated in Django 6.1
(RemovedInDjango2028Warning). Both Django versions run these; under 6.1 the unsafe fix
must silence the warning with the same SQL and output (test_unsafe_fixes_name_the_relations)."""

from django.contrib import admin

from blog.models import Category, Comment, Post
from harness.admin import changelist
from harness.registry import scenario
from shop.models import OrderItem

# --- positives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def posts_with_every_non_null_relation():
    posts = Post.objects.select_related().order_by("id")  # expect: ORM603
    return [(p.title, p.author.username, p.category.name) for p in posts]


@scenario(kind="constant", queries=1)
def comments_two_levels_deep():
    # The post's author and category are followed too; the user's nullable team is not.
    comments = Comment.objects.select_related().order_by("id")  # expect: ORM603
    return [(c.body, c.post.author.username, c.post.category.name, c.author.username) for c in comments]


@scenario(kind="constant", queries=1)
def order_items_through_an_abstract_owner():
    items = OrderItem.objects.select_related().order_by("id")  # expect: ORM603
    return [(i.order.customer.username, i.product.owner.username, i.product.name) for i in items]


class EverythingSelectedAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category")
    list_select_related = True  # expect: ORM603


orm603_everything = admin.AdminSite(name="orm603_everything")
orm603_everything.register(Post, EverythingSelectedAdmin)


@scenario(kind="constant")
def admin_select_all():
    return changelist(EverythingSelectedAdmin)


class NothingToSelectAdmin(admin.ModelAdmin):
    # The only foreign key (`parent`) is nullable: `True` selects nothing.
    list_display = ("name",)
    list_select_related = True  # expect: ORM603


orm603_nothing = admin.AdminSite(name="orm603_nothing")
orm603_nothing.register(Category, NothingToSelectAdmin)


@scenario(kind="constant")
def admin_select_all_of_nothing():
    return changelist(NothingToSelectAdmin)


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def posts_with_named_relations():
    posts = Post.objects.select_related("author", "category").order_by("id")
    return [(p.title, p.author.username, p.category.name) for p in posts]


@scenario(kind="constant", queries=1)
def selection_cleared():
    # `select_related(None)` clears the selection and is not deprecated.
    posts = Post.objects.select_related("author").select_related(None).order_by("id")
    return [p.title for p in posts]


@scenario(kind="constant", queries=1)
def names_spread():
    names = ("author", "category")
    posts = Post.objects.select_related(*names).order_by("id")
    return [(p.author.username, p.category.name) for p in posts]


@scenario(kind="constant", queries=1)
def related_rows_prefetched_bare():
    # `prefetch_related()` with no arguments is not deprecated: it does nothing.
    posts = Post.objects.prefetch_related().order_by("id")
    return [p.title for p in posts]


class NamedSelectionAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category")
    list_select_related = ("author", "category")


orm603_named = admin.AdminSite(name="orm603_named")
orm603_named.register(Post, NamedSelectionAdmin)


@scenario(kind="constant")
def admin_named_selection():
    return changelist(NamedSelectionAdmin)


class DefaultSelectionAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category")
    list_select_related = False


orm603_default = admin.AdminSite(name="orm603_default")
orm603_default.register(Post, DefaultSelectionAdmin)


@scenario(kind="constant")
def admin_default_selection():
    return changelist(DefaultSelectionAdmin)
