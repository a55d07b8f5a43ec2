"""ORM101 missing-select-related: a FK / one-to-one followed on each row of a queryset."""

from django.apps import apps
from django.contrib import admin
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.views.generic import ListView

from accounts.models import Profile, User
from blog.models import Category, Comment, Note, Post, PostStats, Revision
from harness.admin import changelist, inlines


from blog.models import Comment, Post, PostStats, Revision
from blog.serializers import (
    PostAuthorNameSerializer,
    PostAuthorSerializer,
    PostCategorySerializer,
    PostDeclaredIdsSerializer,
    PostDepthSerializer,
    PostEditorSerializer,
    PostIdsSerializer,
    PostTitleSerializer,
)
from harness.registry import scenario
from harness.views import rendered
from shop.models import Bargain, Order, OrderItem, Product
from social.models import Reaction

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one", fixed_queries=1)
def post_titles_with_authors():
    posts = Post.objects.order_by("id")
    return [f"{p.title} by {p.author.username}" for p in posts]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def editors_with_bare_select_related():
    # select_related() without arguments follows only non-null FKs: `editor` is nullable.
    rows = []
    for post in Post.objects.select_related().order_by("id"):  # expect: ORM603
        editor = post.editor  # expect: ORM101
        rows.append(editor.username if editor is not None else "-")
    return rows


@scenario(kind="n_plus_one", fixed_queries=1)
def user_bios_reverse_one_to_one():
    users = User.objects.order_by("id")
    result = []
    for user in users:
        result.append((user.username, user.profile.bio))  # expect: ORM101
    return result


@scenario(kind="n_plus_one", fixed_queries=1)
def stats_forward_one_to_one():
    return sorted(s.post.title for s in PostStats.objects.filter(views__gte=0))  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def comment_post_authors_two_levels():
    comments = Comment.objects.select_related("post")
    out = []
    for comment in comments:
        out.append(comment.post.author.username)  # expect: ORM101
    return out


@scenario(kind="n_plus_one", fixed_queries=1)
def published_feed_custom_queryset_method():
    # `published()` (PostQuerySet.as_manager()) filters but selects nothing.
    feed = Post.objects.published().order_by("-rank", "id")
    return [{"title": p.title, "category": p.category.name} for p in feed]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def author_names_via_model_property():
    # Post.author_name reads self.author: one call away.
    return [post.author_name for post in Post.objects.order_by("id")]  # expect: ORM101


def _category_rows(posts):
    return [(p.title, p.category.name) for p in posts]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def helper_receives_queryset():
    return _category_rows(Post.objects.filter(is_published=True).order_by("id"))


def _published(posts):
    return posts.filter(is_published=True)


@scenario(kind="n_plus_one", fixed_queries=1)
def rows_returned_by_a_helper():
    return [p.category.name for p in _published(Post.objects.order_by("id"))]  # expect: ORM101


def _titles_with_authors(posts, with_authors=False):
    rows = []
    for post in posts:
        rows.append(post.title)
        if with_authors:
            rows.append(post.author.username)  # expect: ORM101
    return rows


@scenario(kind="n_plus_one", fixed_queries=1)
def helper_asked_to_read_authors():
    return _titles_with_authors(Post.objects.order_by("id"), with_authors=True)


@scenario(kind="n_plus_one", fixed_queries=1)
def product_categories_cross_app_fk():
    lines = []
    for product in Product.objects.order_by("id"):
        lines.append(f"{product.name}: {product.category.name}")  # expect: ORM101
    return lines


@scenario(kind="n_plus_one", fixed_queries=1)
def order_item_products_through_model():
    items = OrderItem.objects.filter(quantity__gte=1).order_by("id")
    return [(item.product.name, item.quantity) for item in items]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def profile_serializer_dicts():
    data = []
    for profile in Profile.objects.all().order_by("id"):
        data.append(
            {
                "bio": profile.bio,
                "user": profile.user.username,  # expect: ORM101
            }
        )
    return data


@scenario(kind="n_plus_one", fixed_queries=1)
def proxy_model_categories():
    return [b.category.name for b in Bargain.objects.order_by("id")]  # expect: ORM101


@scenario(kind="n_plus_one")
def nested_loop_over_authors_then_posts():
    # Inner loop: each post of a user; the post's category is followed per post.
    names = []
    for user in User.objects.prefetch_related("posts").order_by("id"):
        for post in user.posts.all():
            names.append(f"{user.username}/{post.category.name}")  # expect: ORM101
    return names


@scenario(kind="n_plus_one", fixed_queries=1)
def select_related_none_clears():
    posts = Post.objects.select_related("author").select_related(None).order_by("id")
    return [p.author.username for p in posts]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def revision_labels_through_str():
    # Revision.__str__ reads `self.post`.
    return [str(r) for r in Revision.objects.order_by("id")]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def revisions_in_an_f_string():
    lines = []
    for revision in Revision.objects.order_by("id"):
        lines.append(f"- {revision}")  # expect: ORM101
    return lines


@scenario(kind="n_plus_one", fixed_queries=1)
def revision_reprs():
    # Django's Model.__repr__ is "<Revision: %s>" % self: it runs __str__.
    return [repr(r) for r in Revision.objects.order_by("id")]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def post_authors_through_get_model():
    # `apps.get_model` takes the model name in any case.
    model = apps.get_model("blog", "post")
    return [p.author.username for p in model.objects.order_by("id")]  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def post_authors_in_a_template():
    # The template reads `post.author.username` for each row it is given.
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_authors.html", {"posts": posts})  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def post_authors_in_a_template_context_built_apart():
    context = {"heading": "Posts"}
    context["posts"] = Post.objects.filter(rank__gte=0).order_by("id")  # expect: ORM101
    return render_to_string("blog/post_authors.html", context)


@scenario(kind="n_plus_one", fixed_queries=1)
def post_authors_in_a_jinja_template():
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_authors.jinja", {"posts": posts})  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=3)
def comment_authors_in_a_nested_jinja_loop():
    # `post.comments.all()` is called: the prefetched rows, each comment's author read.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return render_to_string("blog/post_comment_authors.jinja", {"posts": posts})  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=3)
def comment_authors_in_a_nested_template_loop():
    # Comments are prefetched; the template reads each comment's author.
    posts = Post.objects.prefetch_related("comments").order_by("id")
    return render_to_string("blog/post_comment_authors.html", {"posts": posts})  # expect: ORM101


# Admin changelists: each ModelAdmin on an AdminSite of its own, rendered for a superuser.


class AuthorLookupAdmin(admin.ModelAdmin):
    list_display = ("title", "author__username")  # expect: ORM101


orm101_author_lookup = admin.AdminSite(name="orm101_author_lookup")
orm101_author_lookup.register(Post, AuthorLookupAdmin)


@scenario(kind="n_plus_one")
def admin_author_lookup_column():
    # An "a__b" entry makes Django select nothing on its own.
    return changelist(AuthorLookupAdmin)


class ParentShownAdmin(admin.ModelAdmin):
    list_display = ("name", "parent")  # expect: ORM101
    list_select_related = True  # expect: ORM603


orm101_parent_shown = admin.AdminSite(name="orm101_parent_shown")
orm101_parent_shown.register(Category, ParentShownAdmin)


@scenario(kind="n_plus_one")
def admin_nullable_parent_under_select_all():
    # `True` is select_related(): the nullable parent is not followed.
    return changelist(ParentShownAdmin)


class CategoryMethodAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category_name")  # expect: ORM101
    list_select_related = ["author"]

    @admin.display(description="Category")
    def category_name(self, obj):
        return obj.category.name


orm101_category_method = admin.AdminSite(name="orm101_category_method")
orm101_category_method.register(Post, CategoryMethodAdmin)


@scenario(kind="n_plus_one")
def admin_method_column_reads_category():
    return changelist(CategoryMethodAdmin)


# Admin inlines: the change page of the first category, whose notes grow with the rows.


class NoteInline(admin.TabularInline):  # expect: ORM101
    # Each note is shown as text, and its __str__ reads the author.
    model = Note
    fields = ("text",)


class NotedCategoryAdmin(admin.ModelAdmin):
    fields = ("name",)
    inlines = [NoteInline]


orm101_noted_category = admin.AdminSite(name="orm101_noted_category")
orm101_noted_category.register(Category, NotedCategoryAdmin)


@scenario(kind="n_plus_one")
def admin_inline_rows_shown_as_text():
    return inlines(NotedCategoryAdmin, 1)


# Django's ListView: the template it renders reads each row's author.


class PostsOfAListView(ListView):
    queryset = Post.objects.order_by("id")  # expect: ORM101
    template_name = "blog/post_authors.html"
    context_object_name = "posts"


@scenario(kind="n_plus_one", fixed_queries=1)
def list_view_template_reads_authors():
    return rendered(PostsOfAListView)


class PostsOfTheDefaultTemplate(ListView):
    # `blog/post_list.html` and `post_list`: the names Django gives by default.
    queryset = Post.objects.filter(rank__gte=0).order_by("id")  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def list_view_default_template_and_name():
    return rendered(PostsOfTheDefaultTemplate)


class PostsPaged(ListView):
    paginate_by = 50
    template_name = "blog/post_page.html"

    def get_queryset(self):  # expect: ORM101
        return Post.objects.order_by("id")


@scenario(kind="n_plus_one", fixed_queries=2)
def list_view_page_reads_authors():
    # A page: a COUNT, then the page's rows.
    return rendered(PostsPaged)


# DRF serializers, rendered through `.data`: the finding is on the queryset given.


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_nested_author_serializer():
    return PostAuthorSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_dotted_source():
    serializer = PostAuthorNameSerializer(Post.objects.order_by("id"), many=True)  # expect: ORM101
    return serializer.data


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_method_field():
    return PostCategorySerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_string_related_nullable():
    return PostEditorSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_depth_one():
    return PostDepthSerializer(Post.objects.order_by("id"), many=True).data  # expect: ORM101


@scenario(kind="n_plus_one", fixed_queries=1)
def drf_list_view():
    from django.test import RequestFactory
    from rest_framework import generics

    class PostAuthorList(generics.ListAPIView):
        authentication_classes = []
        queryset = Post.objects.order_by("id")  # expect: ORM101
        serializer_class = PostAuthorSerializer

    return PostAuthorList.as_view()(RequestFactory().get("/")).data


# --- negatives -------------------------------------------------------------


def _titles(posts, with_authors=False):
    rows = []
    for post in posts:
        rows.append(post.title)
        if with_authors:
            rows.append(post.author.username)
    return rows


@scenario(kind="constant", queries=1)
def helper_left_to_its_default():
    # `with_authors` stays False: the helper never reads an author.
    return _titles(Post.objects.order_by("id"))


@scenario(kind="constant", queries=1)
def post_authors_through_get_model_selected():
    model = apps.get_model("blog.Post")
    return [p.author.username for p in model.objects.select_related("author").order_by("id")]


@scenario(kind="constant", queries=1)
def post_titles_with_select_related():
    posts = Post.objects.select_related("author").order_by("id")
    return [f"{p.title} by {p.author.username}" for p in posts]


@scenario(kind="constant", queries=1)
def author_ids_only():
    return [p.author_id for p in Post.objects.order_by("id")]


@scenario(kind="constant", queries=2)
def single_post_author():
    post = Post.objects.get(pk=1)
    return post.author.username


@scenario(kind="constant", queries=2)
def first_post_category():
    post = Post.objects.order_by("id").first()
    return post.category.name


@scenario(kind="constant", queries=4)
def loop_over_plain_list_of_two():
    pair = [Post.objects.get(pk=1), Post.objects.get(pk=2)]
    return [p.author.username for p in pair]


@scenario(kind="constant", queries=1)
def values_rows_with_author():
    rows = Post.objects.values("title", "author__username").order_by("id")
    return [f"{row['title']} by {row['author__username']}" for row in rows]


@scenario(kind="constant", queries=1)
def order_customers_manager_get_queryset():
    # OrderManager.get_queryset() already select_related("customer").
    return [(o.number, o.customer.username) for o in Order.objects.order_by("id")]


@scenario(kind="constant", queries=1)
def suppliers_from_queryset_method():
    products = Product.objects.with_supplier().order_by("id")
    return [p.supplier.name if p.supplier else "-" for p in products]


@scenario(kind="constant", queries=1)
def authors_as_manager_method():
    return [p.author.username for p in Post.objects.with_author().order_by("id")]


@scenario(kind="constant", queries=1)
def bare_select_related_non_null_fk():
    # select_related() without arguments does follow the non-null FKs.
    return [(p.author.username, p.category.name) for p in Post.objects.select_related().order_by("id")]  # expect: ORM603


@scenario(kind="constant", queries=2)
def comment_back_reference_to_post():
    # The reverse-FK manager sets `comment.post` on each child: no query.
    out = []
    for post in Post.objects.prefetch_related("comments").order_by("id"):
        for comment in post.comments.all():
            out.append(f"{comment.post.title}:{comment.body}")
    return out


@scenario(kind="constant", queries=2)
def author_via_prefetch_related():
    return [p.author.username for p in Post.objects.prefetch_related("author").order_by("id")]


@scenario(kind="constant", queries=1)
def select_related_added_later():
    qs = Post.objects.filter(is_published=True)
    qs = qs.select_related("category")
    return [p.category.name for p in qs.order_by("id")]


@scenario(kind="constant", queries=1)
def nullable_fk_named_in_select_related():
    posts = Post.objects.select_related("editor").order_by("id")
    return [p.editor.username if p.editor else "-" for p in posts]


@scenario(kind="constant", queries=1)
def plus_related_name_forward_still_selectable():
    comments = Comment.objects.select_related("author").order_by("id")
    return [c.author.username for c in comments]


@scenario(kind="constant", queries=1)
def proxy_with_select_related():
    return [b.category.name for b in Bargain.objects.select_related("category").order_by("id")]


@scenario(kind="constant", queries=1)
def two_level_select_related():
    comments = Comment.objects.select_related("post__author").order_by("id")
    return [c.post.author.username for c in comments]


@scenario(kind="constant", queries=1)
def reverse_one_to_one_selected():
    users = User.objects.select_related("profile").order_by("id")
    return [(u.username, u.profile.bio) for u in users]


@scenario(kind="constant", queries=5)
def generic_fk_prefetched():
    # A GenericForeignKey cannot be select_related; prefetch_related("target") batches it.
    reactions = Reaction.objects.prefetch_related("target").order_by("id")
    return [type(r.target).__name__ for r in reactions]


@scenario(kind="constant", queries=2)
def to_attr_prefetch_then_fk_on_list():
    posts = Post.objects.prefetch_related(
        Prefetch("comments", queryset=Comment.objects.select_related("author"), to_attr="loaded")
    ).order_by("id")
    return [[c.author.username for c in p.loaded] for p in posts]


@scenario(kind="constant", queries=1)
def revision_labels_selected():
    return [str(r) for r in Revision.objects.select_related("post").order_by("id")]


@scenario(kind="constant", queries=1)
def post_str_reads_a_column():
    return [f"{p}" for p in Post.objects.order_by("id")]


@scenario(kind="constant", queries=1)
def default_str_reads_the_pk():
    # PostStats has no __str__: Django's "PostStats object (1)" needs no query.
    return [str(s) for s in PostStats.objects.order_by("id")]


@scenario(kind="constant", queries=1)
def post_authors_in_a_template_selected():
    posts = Post.objects.select_related("author").order_by("id")
    return render_to_string("blog/post_authors.html", {"posts": posts})


@scenario(kind="constant", queries=1)
def post_columns_in_a_template():
    # `{% if post.rank %}` tests a column of the row: no query.
    return render_to_string("blog/post_titles.html", {"posts": Post.objects.order_by("id")})


@scenario(kind="constant", queries=1)
def value_rows_in_a_template():
    # Dicts of values(): `post.author__username` is a key of the dict, joined in the query.
    posts = Post.objects.values("title", "author__username").order_by("id")
    return render_to_string("blog/post_value_rows.html", {"posts": posts})


@scenario(kind="constant", queries=1)
def post_authors_in_a_jinja_template_selected():
    posts = Post.objects.select_related("author").order_by("id")
    return render_to_string("blog/post_authors.jinja", {"posts": posts})


@scenario(kind="constant", queries=1)
def bound_methods_in_a_jinja_template():
    # Jinja2 calls nothing it is not told to: `post.comments.all` and `post.tags.count`
    # are bound methods, tested for truth without a query.
    posts = Post.objects.order_by("id")
    return render_to_string("blog/post_bound_methods.jinja", {"posts": posts})


@scenario(kind="constant", queries=3)
def comment_authors_in_a_nested_template_loop_prefetched():
    posts = Post.objects.prefetch_related("comments__author").order_by("id")
    return render_to_string("blog/post_comment_authors.html", {"posts": posts})


class ListedAuthorAdmin(admin.ModelAdmin):
    list_display = ("title", "author__username")
    list_select_related = ["author"]


orm101_listed_author = admin.AdminSite(name="orm101_listed_author")
orm101_listed_author.register(Post, ListedAuthorAdmin)


@scenario(kind="constant")
def admin_list_select_related_names_the_author():
    return changelist(ListedAuthorAdmin)


class AllAuthorAdmin(admin.ModelAdmin):
    list_display = ("title", "author")
    list_select_related = True  # expect: ORM603


orm101_all_author = admin.AdminSite(name="orm101_all_author")
orm101_all_author.register(Post, AllAuthorAdmin)


@scenario(kind="constant")
def admin_select_all_follows_the_non_null_author():
    return changelist(AllAuthorAdmin)


class AutomaticAuthorAdmin(admin.ModelAdmin):
    list_display = ("title", "author")


orm101_automatic_author = admin.AdminSite(name="orm101_automatic_author")
orm101_automatic_author.register(Post, AutomaticAuthorAdmin)


@scenario(kind="constant")
def admin_foreign_key_column_is_selected_on_its_own():
    return changelist(AutomaticAuthorAdmin)


class AuthorIdAdmin(admin.ModelAdmin):
    list_display = ("title", "author_id")


orm101_author_id = admin.AdminSite(name="orm101_author_id")
orm101_author_id.register(Post, AuthorIdAdmin)


@scenario(kind="constant")
def admin_author_id_column():
    return changelist(AuthorIdAdmin)


class FilterOnlyAdmin(admin.ModelAdmin):
    list_display = ("title",)
    list_filter = ("author__username",)
    search_fields = ("author__username", "editor__username")


orm101_filter_only = admin.AdminSite(name="orm101_filter_only")
orm101_filter_only.register(Post, FilterOnlyAdmin)


@scenario(kind="constant")
def admin_relations_only_filtered_and_searched():
    return changelist(FilterOnlyAdmin)


class SelectingAuthorAdmin(admin.ModelAdmin):
    list_display = ("title", "author__username")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


orm101_selecting_author = admin.AdminSite(name="orm101_selecting_author")
orm101_selecting_author.register(Post, SelectingAuthorAdmin)


@scenario(kind="constant")
def admin_get_queryset_selects_the_author():
    return changelist(SelectingAuthorAdmin)


class SelectedNoteInline(admin.TabularInline):
    model = Note
    fields = ("text",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class SelectedNotesCategoryAdmin(admin.ModelAdmin):
    fields = ("name",)
    inlines = [SelectedNoteInline]


orm101_selected_notes = admin.AdminSite(name="orm101_selected_notes")
orm101_selected_notes.register(Category, SelectedNotesCategoryAdmin)


@scenario(kind="constant")
def admin_inline_selects_the_author():
    return inlines(SelectedNotesCategoryAdmin, 1)


class ChildInline(admin.TabularInline):
    # The foreign key to the page's object is set on each row from that object.
    model = Category
    fk_name = "parent"
    fields = ("name",)
    readonly_fields = ("parent",)


class ParentCategoryAdmin(admin.ModelAdmin):
    fields = ("name",)
    inlines = [ChildInline]


orm101_parent_category = admin.AdminSite(name="orm101_parent_category")
orm101_parent_category.register(Category, ParentCategoryAdmin)


@scenario(kind="constant")
def admin_inline_shows_the_foreign_key_to_the_parent():
    return inlines(ParentCategoryAdmin, 1)


class PostsOfAListViewSelected(ListView):
    queryset = Post.objects.select_related("author").order_by("id")
    template_name = "blog/post_authors.html"
    context_object_name = "posts"


@scenario(kind="constant", queries=1)
def list_view_template_reads_selected_authors():
    return rendered(PostsOfAListViewSelected)


class PostsOfAListViewColumns(ListView):
    queryset = Post.objects.order_by("id")
    template_name = "blog/post_titles.html"
    context_object_name = "posts"


@scenario(kind="constant", queries=1)
def list_view_template_reads_columns():
    return rendered(PostsOfAListViewColumns)


class PostsPagedSelected(ListView):
    paginate_by = 50
    template_name = "blog/post_page.html"

    def get_queryset(self):
        return Post.objects.select_related("author").order_by("id")


@scenario(kind="constant", queries=2)
def list_view_page_reads_selected_authors():
    return rendered(PostsPagedSelected)


def one_to_one_back_to_the_row():
    # Loading `user.profile` caches the user on the profile: `profile.user` is free.
    return [u.profile.user.username for u in User.objects.select_related("profile").order_by("id")]


# DRF serializers that read no relation per row, or read it from the join.


@scenario(kind="constant", queries=1)
def drf_author_selected():
    posts = Post.objects.select_related("author").order_by("id")
    return PostAuthorSerializer(posts, many=True).data


@scenario(kind="constant", queries=1)
def drf_relations_by_id():
    # DRF reads `author_id`, `editor_id`, `category_id`: no related object is loaded.
    return PostIdsSerializer(Post.objects.order_by("id"), many=True).data


@scenario(kind="constant", queries=1)
def drf_declared_primary_keys():
    return PostDeclaredIdsSerializer(Post.objects.order_by("id"), many=True).data


@scenario(kind="constant", queries=1)
def drf_to_representation_reads_a_column():
    return PostTitleSerializer(Post.objects.order_by("id"), many=True).data


@scenario(kind="constant", queries=2)
def drf_one_post():
    return PostAuthorSerializer(Post.objects.order_by("id").first()).data


@scenario(kind="constant", queries=0)
def drf_data_never_read():
    serializer = PostAuthorSerializer(Post.objects.order_by("id"), many=True)
    return type(serializer).__name__


@scenario(kind="constant", queries=1)
def drf_list_view_selected():
    from django.test import RequestFactory
    from rest_framework import generics

    class PostAuthorList(generics.ListAPIView):
        authentication_classes = []
        queryset = Post.objects.select_related("author").order_by("id")
        serializer_class = PostAuthorSerializer

    return PostAuthorList.as_view()(RequestFactory().get("/")).data


@scenario(kind="constant", queries=0)
def template_given_the_rows_under_another_name():
    # The template loops over `posts`; rows under `items` are never read, nor fetched.
    return render_to_string("blog/post_authors.html", {"items": Post.objects.order_by("id")})
