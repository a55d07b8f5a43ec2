"""Deterministic data at a given size (rows per main table). Uses bulk_create only."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from accounts.models import Profile, Team, User
from blog.models import Category, Comment, Note, Post, PostStats, Revision, Tag
from shop.models import Order, OrderItem, Product, Supplier
from social.models import Reaction


def seed(n):
    teams = [Team(id=i + 1, name=f"team{i:02d}") for i in range(n)]
    Team.objects.bulk_create(teams)
    users = [
        User(
            id=i + 1,
            username=f"user{i:02d}",
            email=f"user{i:02d}@example.com",
            display_name=f"User {i:02d}",
            password="",
            # Every other user has no team (nullable FK left empty).
            team_id=(i + 1) if i % 2 == 0 else None,
        )
        for i in range(n)
    ]
    User.objects.bulk_create(users)
    Profile.objects.bulk_create(
        [
            Profile(id=i + 1, user_id=i + 1, bio=f"bio {i:02d}", website=f"w{i:02d}.example")
            for i in range(n)
        ]
    )
    # Category names in reverse so Meta.ordering (name) differs from id order.
    Category.objects.bulk_create(
        [
            Category(id=i + 1, name=f"cat{n - i:02d}", parent_id=1 if i > 0 else None)
            for i in range(n)
        ]
    )
    Tag.objects.bulk_create([Tag(id=i + 1, name=f"tag{i:02d}") for i in range(n)])
    Post.objects.bulk_create(
        [
            Post(
                id=i + 1,
                title=f"post{i:02d}",
                body=f"body of post {i:02d}",
                rank=(i * 7) % n,
                is_published=(i % 3 != 0),
                author_id=i + 1,
                # Half of the posts have an editor (nullable FK).
                editor_id=((i + 1) % n) + 1 if i % 2 == 0 else None,
                category_id=(i % n) + 1,
            )
            for i in range(n)
        ]
    )
    through = Post.tags.through
    through.objects.bulk_create(
        [
            through(post_id=i + 1, tag_id=((i + k) % n) + 1)
            for i in range(n)
            for k in range(2)
        ]
    )
    PostStats.objects.bulk_create(
        [PostStats(id=i + 1, post_id=i + 1, views=i * 10) for i in range(n)]
    )
    Comment.objects.bulk_create(
        [
            Comment(
                id=2 * i + k + 1,
                post_id=i + 1,
                author_id=((i + k + 1) % n) + 1,
                body=f"comment {k} on post{i:02d}",
                score=(i + 3 * k) % 5,
            )
            for i in range(n)
            for k in range(2)
        ]
    )
    Revision.objects.bulk_create(
        [
            Revision(id=2 * i + k + 1, post_id=i + 1, number=2 - k, note=f"rev {2 - k} of post{i:02d}")
            for i in range(n)
            for k in range(2)
        ]
    )
    Note.objects.bulk_create(
        [Note(id=i + 1, category_id=1, author_id=i + 1, text=f"note{i:02d}") for i in range(n)]
    )
    Supplier.objects.bulk_create(
        [Supplier(id=i + 1, owner_id=i + 1, name=f"supplier{i:02d}", city=f"city{i % 3}") for i in range(n)]
    )
    Product.objects.bulk_create(
        [
            Product(
                id=i + 1,
                owner_id=((i + 2) % n) + 1,
                name=f"product{i:02d}",
                price=10 * (i + 1),
                supplier_id=(i + 1) if i % 2 == 0 else None,
                category_id=(i % n) + 1,
            )
            for i in range(n)
        ]
    )
    Order.objects.bulk_create(
        [Order(id=i + 1, number=f"ord{i:03d}", customer_id=(i % n) + 1) for i in range(n)]
    )
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                id=2 * i + k + 1,
                order_id=i + 1,
                product_id=((i + k) % n) + 1,
                quantity=k + 1,
                unit_price=Decimal(f"{i}.{25 * (k + 1)}"),
                discount=0.1 * (i + 1) if k == 0 else None,
            )
            for i in range(n)
            for k in range(2)
        ]
    )
    post_type = ContentType.objects.get_for_model(Post)
    product_type = ContentType.objects.get_for_model(Product)
    Reaction.objects.bulk_create(
        [
            Reaction(
                id=i + 1,
                content_type=post_type if i % 2 == 0 else product_type,
                object_id=i + 1,
                kind="like" if i % 3 else "wow",
                user_id=(i % n) + 1,
            )
            for i in range(n)
        ]
    )
