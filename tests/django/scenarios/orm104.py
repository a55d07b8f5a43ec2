"""ORM104 deferred-field-access: a field left out by only()/defer() read on each row."""

from accounts.models import User
from blog.models import Post
from harness.registry import scenario

# --- positives -------------------------------------------------------------


@scenario(kind="n_plus_one", fixed_queries=1)
def only_title_then_body():
    posts = Post.objects.only("title").order_by("id")
    return [f"{p.title}: {p.body}" for p in posts]  # expect: ORM104


@scenario(kind="n_plus_one", fixed_queries=1)
def only_title_then_author_id():
    # only() defers the FK column too unless "author" is listed.
    posts = Post.objects.only("title").order_by("id")
    return [(p.title, p.author_id) for p in posts]  # expect: ORM104


@scenario(kind="n_plus_one", fixed_queries=1)
def defer_body_then_body():
    excerpts = []
    for post in Post.objects.defer("body").order_by("id"):
        excerpts.append(post.body[:7])  # expect: ORM104
    return excerpts


@scenario(kind="n_plus_one", fixed_queries=1)
def only_after_custom_manager_method():
    posts = Post.objects.published().only("title").order_by("id")
    return [{"title": p.title, "rank": p.rank} for p in posts]  # expect: ORM104


@scenario(kind="n_plus_one", fixed_queries=1)
def user_emails_after_only_username():
    users = User.objects.only("username").order_by("id")
    out = []
    for user in users:
        out.append(user.email)  # expect: ORM104
    return out


@scenario(kind="n_plus_one", fixed_queries=1)
def defer_author_id_then_author_id():
    # defer() takes the attname too; the fix drops the only deferred name.
    ids = [p.author_id for p in Post.objects.defer("author_id")]  # expect: ORM104
    return sorted(ids)


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=1)
def only_author_attname_then_author_id():
    # only("author_id") loads the same column as only("author").
    posts = Post.objects.only("title", "author_id").order_by("id")
    return [(p.title, p.author_id) for p in posts]


@scenario(kind="constant", queries=1)
def defer_a_column_of_the_selected_author():
    # Defers the author's column, not the post's author_id.
    posts = Post.objects.select_related("author").defer("author__email").order_by("id")
    return [(p.title, p.author_id, p.author.username) for p in posts]


@scenario(kind="constant", queries=1)
def only_title_then_title_and_pk():
    posts = Post.objects.only("title").order_by("id")
    return [(p.pk, p.id, p.title) for p in posts]


@scenario(kind="constant", queries=1)
def only_title_and_author_then_author_id():
    posts = Post.objects.only("title", "author").order_by("id")
    return [(p.title, p.author_id) for p in posts]


@scenario(kind="constant", queries=1)
def defer_body_then_title():
    return [p.title for p in Post.objects.defer("body").order_by("id")]


@scenario(kind="constant", queries=1)
def values_rows_have_no_deferred_fields():
    rows = Post.objects.values("title", "body").order_by("id")
    return [f"{r['title']}: {r['body']}" for r in rows]


@scenario(kind="constant", queries=2)
def single_object_deferred_read():
    post = Post.objects.only("title").get(pk=1)
    return post.body


@scenario(kind="constant", queries=1)
def only_lists_the_field_read():
    posts = Post.objects.only("title", "body").order_by("id")
    return [f"{p.title}: {p.body}" for p in posts]


@scenario(kind="constant", queries=1)
def only_with_related_field_through_select_related():
    posts = Post.objects.select_related("author").only("title", "author__username").order_by("id")
    return [(p.title, p.author.username, p.author_id) for p in posts]


@scenario(kind="constant", queries=1)
def defer_body_then_other_fields():
    posts = Post.objects.defer("body").order_by("id")
    return [(p.title, p.rank, p.author_id, p.is_published) for p in posts]
