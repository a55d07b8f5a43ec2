"""ORM203 related-id-via-object: obj.rel.id / obj.rel.pk loads the related row for its id."""

from accounts.models import Profile, User
from blog.models import Post
from harness.registry import scenario
from shop.models import Order

# --- positives -------------------------------------------------------------


@scenario(kind="per_object", fixed_queries=1)
def author_id_through_object():
    post = Post.objects.get(pk=1)
    return post.author.id  # expect: ORM203


@scenario(kind="per_object", fixed_queries=1)
def category_pk_through_object():
    post = Post.objects.get(pk=2)
    return post.category.pk  # expect: ORM203


@scenario(kind="per_object", fixed_queries=1)
def author_ids_in_loop():
    return [p.author.id for p in Post.objects.order_by("id")]  # expect: ORM203


@scenario(kind="per_object", fixed_queries=1)
def profile_user_pk():
    profile = Profile.objects.get(pk=3)
    return {"profile": profile.pk, "user": profile.user.pk}  # expect: ORM203


@scenario(kind="per_object", fixed_queries=1)
def created_with_ids_then_author_pk():
    # create() given only author_id has no author instance: reading it loads one.
    post = Post.objects.create(title="new", body="", author_id=1, category_id=1)
    return post.author.pk  # expect: ORM203


# --- negatives -------------------------------------------------------------


@scenario(kind="constant", queries=2)
def created_post_keeps_its_author():
    # create() keeps the instances it was given: reading their ids runs no query.
    author = User.objects.get(pk=1)
    post = Post.objects.create(title="new", body="", author=author, category_id=1)
    return post.author.id, post.author.pk


@scenario(kind="constant", queries=1)
def author_id_column():
    post = Post.objects.get(pk=1)
    return post.author_id


@scenario(kind="constant", queries=1)
def author_selected_then_id():
    post = Post.objects.select_related("author").get(pk=1)
    return post.author.id


@scenario(kind="constant", queries=2)
def author_loaded_for_other_fields():
    post = Post.objects.get(pk=1)
    author = post.author
    return [author.id, author.username]


@scenario(kind="constant", queries=2)
def author_id_and_username_of_one_post():
    # author_id for the first would save nothing: the second loads the author anyway.
    post = Post.objects.get(pk=1)
    return post.author.id, post.author.username


@scenario(kind="constant", queries=1)
def customer_selected_by_manager():
    order = Order.objects.get(pk=1)
    return order.customer.id


@scenario(kind="constant", queries=1)
def own_pk_and_id():
    post = Post.objects.get(pk=3)
    return [post.pk, post.id]


@scenario(kind="constant", queries=2)
def reverse_one_to_one_has_no_id_column():
    # No `profile_id` on User: the load is needed.
    user = User.objects.get(pk=1)
    return user.profile.id


@scenario(kind="constant", queries=1)
def author_id_from_values():
    return list(Post.objects.order_by("id").values_list("author__id", flat=True))
