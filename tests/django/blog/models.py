from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["name"]


class Tag(models.Model):
    # No Meta.ordering: `.first()` on a prefetched `post.tags` runs a query.
    name = models.CharField(max_length=50)


class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_author(self):
        return self.select_related("author")

    def with_tags(self):
        return self.prefetch_related("tags")


class Post(models.Model):
    title = models.CharField(max_length=100)
    body = models.TextField()
    rank = models.IntegerField(default=0)
    is_published = models.BooleanField(default=False)
    # Non-null FK to the custom user through the setting.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    # Nullable FK named with a cross-app string.
    editor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edited_posts",
    )
    # No related_name: `category.post_set`, query name `post`.
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    # M2M without through and without related_name: `tag.post_set`.
    tags = models.ManyToManyField(Tag, blank=True)
    reactions = GenericRelation("social.Reaction")

    objects = PostQuerySet.as_manager()

    def __str__(self):
        return f"Post {self.title}"

    @property
    def author_name(self):
        return self.author.username

    def tag_names(self):
        return sorted(t.name for t in self.tags.all())


class PostStats(models.Model):
    # Reverse one-to-one with related_name: `post.stats`.
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="stats")
    views = models.IntegerField(default=0)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # related_name="+": no reverse accessor and no reverse lookup on the user.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    body = models.CharField(max_length=200)
    score = models.IntegerField(default=0)

    class Meta:
        ordering = ["id"]


class Revision(models.Model):
    # Reverse FK without related_name: `post.revision_set`; no Meta.ordering.
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    number = models.IntegerField()
    note = models.CharField(max_length=100)

    def __str__(self):
        return f"{self.post.title} #{self.number}"


class Note(models.Model):
    # Every note is on the first category: the admin inlines of a category grow with
    # the rows. related_name="+" on the author keeps the user's reverse accessors as
    # they were.
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=100)

    def __str__(self):
        return f"{self.text} by {self.author.username}"
